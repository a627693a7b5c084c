//! Delivery fan-out at scale: one delivery to N synthetic friends, sent by the real sender over
//! real HTTP to the fake LINE enforcing LINE's multicast limit (200 requests/s). The floor is
//! N / (200 × 500) seconds: 1 s for 100,000, 10 s for 1,000,000.
//!
//! `cargo bench -p tayori-deliveries --bench fanout_scale -- 100000 1000000 [--district 雲浜]`
//!
//! The fake LINE runs as a child process (this binary re-run with `--serve-fake-line`), so the
//! peak memory reported for the sender (VmHWM, reset just before the send) is the sender's
//! alone. Friends are written into the embedded SQLite store (in `$TMPDIR`) before the clock
//! starts; seeding time is reported separately. The run fails unless the delivery's totals say
//! every recipient succeeded and the fake counted exactly one copy for each of them.

use chrono::{DateTime, Utc};
use futures::StreamExt;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write as _};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tayori_adapters::embedded;
use tayori_deliveries::sender::{Outcome, Sender};
use tayori_deliveries::{DeliveryDesk, Then};
use tayori_domain::delivery::{Bubble, Composition, DeliveryStatus, Totals};
use tayori_domain::segment::{Match, SegmentCondition, Target};
use tayori_domain::Friend;
use tayori_fake_line::{DeliveryTally, FakeLine, RecordedRequest};
use tayori_line::{LineClient, LineConfig};
use tayori_ports::table::MAX_TRANSACTION_WRITES;
use tayori_ports::{Condition, Platform, SystemClock, Write};
use tayori_records::friends::FRIEND_SHARDS;
use tayori_records::{Deliveries, Friends, RecordError};

const MULTICAST: &str = "/v2/bot/message/multicast";
/// LINE's documented multicast limit.
const MULTICAST_PER_SECOND: u32 = 200;
const RECIPIENTS_PER_MULTICAST: u64 = 500;
const SERVE_FAKE_LINE: &str = "--serve-fake-line";

/// The 12 地区 of 小浜市: every synthetic friend registered one.
const DISTRICTS: [&str; 12] = [
    "小浜",
    "雲浜",
    "西津",
    "内外海",
    "国富",
    "宮川",
    "松永",
    "遠敷",
    "今富",
    "口名田",
    "中名田",
    "加斗",
];
const AGE_GROUPS: [&str; 7] = ["10代", "20代", "30代", "40代", "50代", "60代", "70代以上"];

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == SERVE_FAKE_LINE) {
        return serve_fake_line();
    }
    let options = Options::parse(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "machine: {} cores; floor = N / {} s",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        u64::from(MULTICAST_PER_SECOND) * RECIPIENTS_PER_MULTICAST
    );
    let mut rows = Vec::new();
    for &friends in &options.sizes {
        let run = runtime.block_on(run(friends, options.district.as_deref()))?;
        run.print();
        rows.push(run.markdown_row());
    }
    println!("\n{}", Run::MARKDOWN_HEADER);
    for row in rows {
        println!("{row}");
    }
    Ok(())
}

struct Options {
    sizes: Vec<u64>,
    /// Send to friends of one 地区 instead of to everyone.
    district: Option<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, Failure> {
        let mut sizes = Vec::new();
        let mut district = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                // cargo bench passes --bench to every bench binary.
                "--bench" => {}
                "--district" => {
                    let name = args.next().ok_or("--district needs a 地区")?;
                    if !DISTRICTS.contains(&name.as_str()) {
                        return Err(format!("{name} is not one of {DISTRICTS:?}").into());
                    }
                    district = Some(name.clone());
                }
                n => sizes.push(
                    n.replace('_', "")
                        .parse()
                        .map_err(|e| format!("{n:?} is not a number of friends: {e}"))?,
                ),
            }
        }
        if sizes.is_empty() {
            sizes = vec![100_000, 1_000_000];
        }
        Ok(Options { sizes, district })
    }
}

/// What one run measured.
struct Run {
    friends: u64,
    target: String,
    seed: Duration,
    elapsed: Duration,
    totals: Totals,
    batches: u32,
    multicasts: usize,
    accepted: usize,
    rate_limited: usize,
    other_refusals: usize,
    /// From the start of the send to LINE's first multicast: the first planning step.
    until_first_multicast: Duration,
    /// LINE's first to last accepted multicast.
    sending: Duration,
    /// After the last multicast: totals and closing the delivery.
    after_last_multicast: Duration,
    sender_peak_kib: u64,
    fake_peak_kib: u64,
    /// CPU time (user + system) the sender's process and the fake LINE's used during the send.
    sender_cpu: Duration,
    fake_cpu: Duration,
    /// From the start of the send until the plan was complete (every friend read into a batch).
    until_plan: Duration,
    /// Reading every friend alone (after the run).
    friend_scan: Duration,
    /// Reading every friend alone, every shard at once as the sender does (after the run).
    friend_scan_at_once: Duration,
    /// Reading every batch of the plan alone (after the run).
    batch_scan: Duration,
}

impl Run {
    const MARKDOWN_HEADER: &'static str = "| friends | target | recipients | seed s | send s | floor s | recipients/s | batches | requests | 429s | plan complete s | until 1st multicast s | multicasting s | after last s | sender VmHWM MiB | fake LINE VmHWM MiB | sender CPU s | fake LINE CPU s |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";

    fn floor(&self) -> f64 {
        self.totals.recipients as f64
            / (f64::from(MULTICAST_PER_SECOND) * RECIPIENTS_PER_MULTICAST as f64)
    }

    fn per_second(&self) -> f64 {
        self.totals.recipients as f64 / self.elapsed.as_secs_f64()
    }

    fn print(&self) {
        println!(
            "\n{} friends, target {}: {} recipients in {} batches",
            self.friends, self.target, self.totals.recipients, self.batches
        );
        println!("  seeding (not measured): {:.1} s", self.seed.as_secs_f64());
        println!(
            "  send: {:.2} s (floor {:.2} s), {:.0} recipients/s",
            self.elapsed.as_secs_f64(),
            self.floor(),
            self.per_second()
        );
        println!(
            "    until the first multicast {:.2} s, multicasting {:.2} s, after the last {:.2} s",
            self.until_first_multicast.as_secs_f64(),
            self.sending.as_secs_f64(),
            self.after_last_multicast.as_secs_f64()
        );
        println!(
            "    plan complete after {:.2} s",
            self.until_plan.as_secs_f64()
        );
        println!(
            "    alone, after the run: reading every friend {:.2} s one shard at a time, {:.2} s all shards at once; reading every batch {:.2} s",
            self.friend_scan.as_secs_f64(),
            self.friend_scan_at_once.as_secs_f64(),
            self.batch_scan.as_secs_f64()
        );
        println!(
            "  multicast requests: {} ({} accepted, {} answered 429, {} other refusals)",
            self.multicasts, self.accepted, self.rate_limited, self.other_refusals
        );
        println!(
            "  totals: succeeded {}, failed {}, not sent {}",
            self.totals.succeeded, self.totals.failed, self.totals.not_sent
        );
        println!(
            "  peak memory: sender {:.0} MiB (VmHWM over the send), fake LINE {:.0} MiB (child process)",
            mib(self.sender_peak_kib),
            mib(self.fake_peak_kib)
        );
        println!(
            "  CPU time over the send: sender {:.1} s, fake LINE {:.1} s",
            self.sender_cpu.as_secs_f64(),
            self.fake_cpu.as_secs_f64()
        );
    }

    fn markdown_row(&self) -> String {
        format!(
            "| {} | {} | {} | {:.1} | {:.2} | {:.2} | {:.0} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} | {:.0} | {:.1} | {:.1} |",
            self.friends,
            self.target,
            self.totals.recipients,
            self.seed.as_secs_f64(),
            self.elapsed.as_secs_f64(),
            self.floor(),
            self.per_second(),
            self.batches,
            self.multicasts,
            self.rate_limited,
            self.until_plan.as_secs_f64(),
            self.until_first_multicast.as_secs_f64(),
            self.sending.as_secs_f64(),
            self.after_last_multicast.as_secs_f64(),
            mib(self.sender_peak_kib),
            mib(self.fake_peak_kib),
            self.sender_cpu.as_secs_f64(),
            self.fake_cpu.as_secs_f64(),
        )
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

async fn run(friends: u64, district: Option<&str>) -> Result<Run, Failure> {
    let fake = FakeLineProcess::start()?;
    let dir = tempfile::tempdir()?;
    let (platform, _bus) = embedded::platform(dir.path(), Arc::new(SystemClock))?;

    let seeding = Instant::now();
    let expected = seed_friends(&platform, friends, district).await?;
    let seed = seeding.elapsed();
    let target = match district {
        None => Target::All,
        Some(name) => Target::Segment {
            conditions: vec![SegmentCondition {
                item: "district".into(),
                matching: Match::AnyOf,
                values: vec![name.into()],
            }],
        },
    };
    let target_name = district.map_or("all friends".to_string(), |d| format!("地区={d}"));
    release_delivery(&platform, "BENCH", target).await?;
    let line = Arc::new(LineClient::new(LineConfig::at(&fake.base, "bench-token")));
    let sender = Sender::new(platform.clone(), line, "https://tayori.example.jp".into());

    reset_peak_memory()?;
    let fake_pid = fake.child.id().to_string();
    let cpu_before = (cpu_time("self")?, cpu_time(&fake_pid)?);
    let started_at = Utc::now();
    let started = Instant::now();
    let watcher = tokio::spawn(plan_complete(platform.clone(), started));
    let outcome = sender.send("BENCH").await?;
    let elapsed = started.elapsed();
    let finished_at = Utc::now();
    let sender_peak_kib = status_kib("self", "VmHWM")?;
    let sender_cpu = cpu_time("self")?.saturating_sub(cpu_before.0);
    let fake_cpu = cpu_time(&fake_pid)?.saturating_sub(cpu_before.1);
    // A finished send has completed its plan, so the watcher has seen it or is about to.
    let until_plan = tokio::time::timeout(Duration::from_secs(1), watcher)
        .await
        .map_err(|_| "the send plan was never complete")???;

    let Outcome::Finished(totals) = outcome else {
        return Err(format!("the delivery was not sent: {outcome:?}").into());
    };
    let deliveries = Deliveries::new(platform.table.clone());
    let delivery = deliveries
        .get("BENCH")
        .await?
        .ok_or("the delivery vanished")?;
    let plan = deliveries.plan("BENCH").await?.ok_or("no send plan")?;
    let tally = fake.tally().await?;
    let requests = fake.multicasts().await?;
    let fake_peak_kib = status_kib(&fake.child.id().to_string(), "VmHWM")?;
    drop(fake);

    // The bench must not be able to lie: everyone expected got exactly one copy, and the
    // delivery's own log says so.
    let checks = [
        (delivery.status() == DeliveryStatus::Sent, "status is Sent"),
        (totals.recipients == expected, "recipients == expected"),
        (totals.succeeded == expected, "succeeded == expected"),
        (totals.failed == 0 && totals.not_sent == 0, "no failures"),
        (delivery.totals() == totals, "the log's totals match"),
        (
            tally.recipients == expected,
            "the fake LINE saw every recipient",
        ),
        (tally.copies == expected, "the fake LINE saw one copy each"),
        (tally.most_to_one_user == 1, "nobody got two copies"),
        (
            u64::from(plan.batches()) == expected.div_ceil(RECIPIENTS_PER_MULTICAST),
            "every batch but the last is full",
        ),
    ];
    for (ok, what) in checks {
        if !ok {
            return Err(format!(
                "check failed: {what}; expected {expected}, totals {totals:?}, fake {tally:?}"
            )
            .into());
        }
    }

    // Where the time before the first multicast goes, measured again on their own: reading
    // every friend through the index, and reading the plan's batches back.
    let reading = Instant::now();
    let mut read = 0;
    Friends::new(&platform)
        .for_each_page(|page| read += page.len() as u64)
        .await?;
    let friend_scan = reading.elapsed();
    let reading = Instant::now();
    let read_at_once = read_every_shard_at_once(&platform).await?;
    let friend_scan_at_once = reading.elapsed();
    let reading = Instant::now();
    let mut cursor = None;
    loop {
        let (_, next) = deliveries.batches("BENCH", &plan, cursor).await?;
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let batch_scan = reading.elapsed();
    if read != friends || read_at_once != friends {
        return Err(
            format!("read {read} and {read_at_once} friends back, seeded {friends}").into(),
        );
    }

    let accepted: Vec<&RecordedRequest> = requests.iter().filter(|r| r.status == 200).collect();
    let first = accepted.iter().map(|r| r.at).min().unwrap_or(started_at);
    let last = accepted.iter().map(|r| r.at).max().unwrap_or(finished_at);
    let rate_limited = requests.iter().filter(|r| r.status == 429).count();
    Ok(Run {
        friends,
        target: target_name,
        seed,
        elapsed,
        totals,
        batches: plan.batches(),
        multicasts: requests.len(),
        accepted: accepted.len(),
        rate_limited,
        other_refusals: requests.len() - accepted.len() - rate_limited,
        until_first_multicast: between(started_at, first),
        sending: between(first, last),
        after_last_multicast: between(last, finished_at),
        sender_peak_kib,
        fake_peak_kib,
        sender_cpu,
        fake_cpu,
        friend_scan,
        friend_scan_at_once,
        batch_scan,
        until_plan,
    })
}

/// Counts the friends, reading every index shard at the same time, as the sender does.
async fn read_every_shard_at_once(platform: &Platform) -> Result<u64, RecordError> {
    let friends = Friends::new(platform);
    let counts: Vec<Result<u64, RecordError>> = futures::stream::iter(0..FRIEND_SHARDS)
        .map(|shard| {
            let friends = friends.clone();
            async move {
                let (mut n, mut cursor) = (0, None);
                loop {
                    let (page, next) = friends.page(shard, cursor).await?;
                    n += page.len() as u64;
                    match next {
                        Some(c) => cursor = Some(c),
                        None => return Ok(n),
                    }
                }
            }
        })
        .buffer_unordered(FRIEND_SHARDS as usize)
        .collect()
        .await;
    counts.into_iter().sum()
}

/// When the send plan was complete in the store, polled every 10 ms (a get of one item).
async fn plan_complete(platform: Platform, started: Instant) -> Result<Duration, RecordError> {
    let deliveries = Deliveries::new(platform.table.clone());
    while !deliveries
        .plan("BENCH")
        .await?
        .is_some_and(|plan| plan.is_complete())
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(started.elapsed())
}

fn between(from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    (to - from).to_std().unwrap_or_default()
}

/// `n` following friends, each with a 地区 and an age group, written straight into the table
/// in the layout `tayori_records::Friends` writes (sealed attributes and segment keys, from
/// `Friends::item`), 100 to a transaction: `Friends::update` writes (and fsyncs) one friend at
/// a time, which at a million would take longer than the benchmark. Answers how many of them
/// the delivery should reach.
async fn seed_friends(platform: &Platform, n: u64, district: Option<&str>) -> Result<u64, Failure> {
    let at = Utc::now();
    let friends = Friends::new(platform);
    let mut expected = 0;
    let mut writes = Vec::with_capacity(MAX_TRANSACTION_WRITES);
    for i in 0..n {
        let user_id = format!("U{i:032x}");
        let home = DISTRICTS[(i % 12) as usize];
        if district.is_none_or(|d| d == home) {
            expected += 1;
        }
        let mut friend = Friend::first_seen(&user_id, at);
        friend.followed(at);
        friend.attributes = BTreeMap::from([
            ("district".to_string(), vec![home.to_string()]),
            (
                "age_group".to_string(),
                vec![AGE_GROUPS[(i % 7) as usize].to_string()],
            ),
        ]);
        writes.push(Write::Put {
            item: friends.item(&friend, 1).await?,
            condition: Condition::IfAbsent,
        });
        if writes.len() == MAX_TRANSACTION_WRITES || i + 1 == n {
            platform.table.transact(std::mem::take(&mut writes)).await?;
        }
    }
    // Read one back through the repository: it opens what was sealed.
    let first = friends.get(&format!("U{:032x}", 0)).await?;
    if n > 0 && !first.is_some_and(|f| f.can_receive_messages() && !f.attributes.is_empty()) {
        return Err("seeded friends are not readable through tayori_records::Friends".into());
    }
    Ok(expected)
}

/// A one-bubble text delivery, composed and released by a clerk who may send, due now.
async fn release_delivery(platform: &Platform, id: &str, target: Target) -> Result<(), Failure> {
    let composition = Composition {
        title: "年末年始のごみ収集".into(),
        category: "ごみ".into(),
        bubbles: vec![Bubble::Text {
            text: "12月31日から1月3日まで収集はお休みです。".into(),
        }],
        target,
        send_at: None,
    };
    let saved = DeliveryDesk::new(platform)
        .create_draft(
            id.into(),
            "tanaka",
            composition,
            Then::Submit { may_send: true },
        )
        .await?;
    match saved.not_submitted {
        Some(refused) => Err(refused.into()),
        None => Ok(()),
    }
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0), so the peak covers the send only.
fn reset_peak_memory() -> std::io::Result<()> {
    std::fs::write("/proc/self/clear_refs", "5")
}

/// A `kB` field of /proc/<pid>/status.
fn status_kib(pid: &str, field: &str) -> Result<u64, Failure> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status").into())
}

/// User plus system CPU time of a process so far (/proc/<pid>/stat, in clock ticks of 1/100 s).
fn cpu_time(pid: &str) -> Result<Duration, Failure> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start after its ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .ok_or("no command in /proc/<pid>/stat")?
        .1
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields
        .get(11..13)
        .ok_or("short /proc/<pid>/stat")?
        .iter()
        .map(|f| f.parse::<u64>())
        .sum::<Result<u64, _>>()?;
    Ok(Duration::from_millis(ticks * 10))
}

/// The fake LINE in a child process; it exits when its stdin closes (so also when we die).
struct FakeLineProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    base: String,
    http: reqwest::Client,
}

impl FakeLineProcess {
    fn start() -> Result<FakeLineProcess, Failure> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg(SERVE_FAKE_LINE)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("no stdout from the fake LINE")?;
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first)?;
        let base = first.trim().to_string();
        if !base.starts_with("http://127.0.0.1:") {
            let _ = child.kill();
            return Err(format!("the fake LINE did not start: {first:?}").into());
        }
        Ok(FakeLineProcess {
            child,
            stdin,
            base,
            http: reqwest::Client::new(),
        })
    }

    async fn tally(&self) -> Result<DeliveryTally, Failure> {
        Ok(self
            .http
            .get(format!("{}/_line/deliveries/tally", self.base))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    async fn multicasts(&self) -> Result<Vec<RecordedRequest>, Failure> {
        Ok(self
            .http
            .get(format!("{}/_line/requests", self.base))
            .query(&[("path", MULTICAST)])
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }
}

impl Drop for FakeLineProcess {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// The child: a tally-only fake LINE (bodies summarised, sends counted per user) enforcing
/// LINE's multicast limit, on a free port printed as the first line of stdout.
fn serve_fake_line() -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let fake = FakeLine::tally_only();
        fake.enforce_rate_limit(MULTICAST, MULTICAST_PER_SECOND);
        let (base, _server) = fake.serve().await;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "{base}")?;
        stdout.flush()?;
        // Serve until the parent closes our stdin (or dies).
        tokio::task::spawn_blocking(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
        })
        .await?;
        Ok(())
    })
}
