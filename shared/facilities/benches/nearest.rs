//! Nearest sites at national scale: 110,000 synthetic sites spread over Japan's extent, the
//! 5 nearest by the R-tree index against a linear scan of every site, the index's build time
//! and memory, in one run.
//!
//! `cargo bench -p tayori-facilities --bench nearest [-- <sites> <queries>]`
//!
//! Goals (issue 13): median ≤ 20 µs for the 5 nearest, ≥ 100× faster than the scan. The run
//! fails if the index and the scan ever disagree on a query, or a goal is missed.

use std::hint::black_box;
use std::time::{Duration, Instant};
use tayori_domain::facility::{Extras, Facility, KindId, Position, Site};
use tayori_domain::hazard::Hazard;
use tayori_facilities::SiteIndex;

/// Japan's extent: 与那国島 to 択捉島, 沖ノ鳥島 to 宗谷岬.
const LAT: (f64, f64) = (20.4, 45.6);
const LNG: (f64, f64) = (122.9, 148.9);
const SCANNED_QUERIES: usize = 300;
const BUILDS: usize = 5;

type Failure = Box<dyn std::error::Error>;

/// Counts the bytes live on the heap, so that the index's own memory is measured exactly
/// (the resident set does not shrink when earlier builds are freed).
struct Counting;

static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), std::sync::atomic::Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on unchanged to the system allocator.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_bytes() -> usize {
    LIVE.load(std::sync::atomic::Ordering::Relaxed)
}

/// SplitMix64: a fixed, seedable sequence so every run measures the same sites.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, (low, high): (f64, f64)) -> f64 {
        low + (high - low) * self.unit()
    }

    fn position(&mut self) -> Position {
        Position::new(self.between(LAT), self.between(LNG)).expect("inside the globe")
    }
}

fn sites(n: usize, rng: &mut Rng) -> Vec<Facility> {
    (0..n)
        .map(|i| {
            // Each hazard with probability ½, as GSI's lists roughly have it; at least one.
            let bits = rng.next();
            let mut hazards: Vec<Hazard> = Hazard::ALL
                .into_iter()
                .enumerate()
                .filter(|(b, _)| bits >> b & 1 == 1)
                .map(|(_, h)| h)
                .collect();
            if hazards.is_empty() {
                hazards.push(Hazard::Earthquake);
            }
            let site = Site {
                id: format!("S{i:07}"),
                kind: KindId::shelter(),
                name: format!("避難場所{i}"),
                address: String::new(),
                position: rng.position(),
                hazards,
                designated_shelter: i % 3 == 0,
                accepts: None,
                gsi_ids: Vec::new(),
            };
            Facility::new(site, Extras::default()).expect("a valid synthetic site")
        })
        .collect()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn micros(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

struct Measured {
    index: Duration,
    index_p99: Duration,
    scan: Duration,
}

/// Times each query alone (the answer a citizen waits for), index then scan, and checks they
/// agree.
fn measure(
    index: &SiteIndex,
    queries: &[Position],
    wanted: &dyn Fn(&Facility) -> bool,
) -> Result<Measured, Failure> {
    // Warm the caches as a container that has answered before would be.
    for q in queries.iter().take(1000) {
        black_box(index.nearest(*q, 5, wanted));
    }
    let mut by_index = Vec::with_capacity(queries.len());
    for q in queries {
        let started = Instant::now();
        let found = index.nearest(*q, 5, wanted);
        by_index.push(started.elapsed());
        black_box(found);
    }
    let mut by_scan = Vec::with_capacity(SCANNED_QUERIES);
    for q in queries.iter().take(SCANNED_QUERIES) {
        let started = Instant::now();
        let scanned = index.nearest_by_scan(*q, 5, wanted);
        by_scan.push(started.elapsed());
        let indexed = index.nearest(*q, 5, wanted);
        let ids = |found: &[(&Facility, f64)]| -> Vec<String> {
            found.iter().map(|(f, _)| f.id().to_owned()).collect()
        };
        if ids(&scanned) != ids(&indexed) {
            return Err(format!(
                "index and scan disagree at {:?}: {:?} vs {:?}",
                q,
                ids(&indexed),
                ids(&scanned)
            )
            .into());
        }
    }
    Ok(Measured {
        index: median(by_index.clone()),
        index_p99: percentile(&by_index, 0.99),
        scan: median(by_scan),
    })
}

fn main() -> Result<(), Failure> {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = numbers.first().copied().unwrap_or(110_000);
    let query_count = numbers.get(1).copied().unwrap_or(20_000);
    let mut rng = Rng(13);

    let heap_before_sites = live_bytes();
    let generated = sites(n, &mut rng);
    let sites_bytes = live_bytes() - heap_before_sites;
    let mut builds = Vec::with_capacity(BUILDS);
    for _ in 0..BUILDS - 1 {
        let copy = generated.clone();
        let started = Instant::now();
        let index = SiteIndex::build(1, copy);
        builds.push(started.elapsed());
        drop(black_box(index));
    }
    let before = live_bytes();
    let started = Instant::now();
    let index = SiteIndex::build(1, generated);
    builds.push(started.elapsed());
    // The sites moved into the index: what grew is the tree alone.
    let tree_bytes = live_bytes() - before;
    let build = median(builds);

    // Citizens anywhere in the extent (much of it sea), and citizens in a town: within about
    // 2 km of a site.
    let anywhere: Vec<Position> = (0..query_count).map(|_| rng.position()).collect();
    let in_town: Vec<Position> = (0..query_count)
        .map(|_| {
            let site = &index.sites()[(rng.next() % n as u64) as usize];
            let p = site.position();
            Position::new(
                p.lat() + rng.between((-0.02, 0.02)),
                p.lng() + rng.between((-0.02, 0.02)),
            )
            .expect("near a site inside the extent")
        })
        .collect();

    let shelter = KindId::shelter();
    let every_shelter = |s: &Facility| s.kind() == &shelter;
    let tsunami = |s: &Facility| s.kind() == &shelter && s.designated_for(&[Hazard::Tsunami]);
    let flood_and_landslide = |s: &Facility| {
        s.kind() == &shelter && s.designated_for(&[Hazard::Flood, Hazard::Landslide])
    };

    println!(
        "Nearest sites: {n} synthetic sites over Japan's extent, {query_count} queries per row"
    );
    let mib = |bytes: usize| bytes as f64 / (1024.0 * 1024.0);
    println!(
        "index build (R-tree bulk load of unit-sphere points): median of {BUILDS} {:.1} ms; the tree {:.1} MiB on the heap ({:.0} bytes per site); the sites themselves {:.1} MiB",
        build.as_secs_f64() * 1e3,
        mib(tree_bytes),
        tree_bytes as f64 / n as f64,
        mib(sites_bytes)
    );
    println!("| query | filter | 5 nearest, median | p99 | linear scan, median | speed-up |");
    println!("|---|---|---|---|---|---|");
    type Row<'a> = (
        &'a str,
        &'a str,
        &'a [Position],
        &'a dyn Fn(&Facility) -> bool,
    );
    let rows: [Row; 4] = [
        ("anywhere", "none", &anywhere, &every_shelter),
        ("in a town", "none", &in_town, &every_shelter),
        ("in a town", "津波", &in_town, &tsunami),
        ("in a town", "洪水+土砂", &in_town, &flood_and_landslide),
    ];
    let mut failures = Vec::new();
    for (place, filter, queries, wanted) in rows {
        let m = measure(&index, queries, wanted)?;
        let speedup = m.scan.as_secs_f64() / m.index.as_secs_f64();
        println!(
            "| {place} | {filter} | {} | {} | {} | {speedup:.0}× |",
            micros(m.index),
            micros(m.index_p99),
            micros(m.scan)
        );
        if m.index > Duration::from_micros(20) {
            failures.push(format!(
                "{place}/{filter}: median {} > 20 µs",
                micros(m.index)
            ));
        }
        if speedup < 100.0 {
            failures.push(format!("{place}/{filter}: only {speedup:.0}× the scan"));
        }
    }
    if failures.is_empty() {
        println!("goals met: median ≤ 20 µs and ≥ 100× the linear scan on every row");
        Ok(())
    } else {
        Err(failures.join("; ").into())
    }
}
