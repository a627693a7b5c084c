//! The planning stage: resumes the batches a stored plan already holds, then reads the plan's
//! sources a page at a time (every friend index shard at once), writes each planning step and
//! hands its batches to the multicast stage.

use super::ledger::Ledger;
use super::{SendError, Sender};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use tayori_domain::delivery::{Delivery, BATCH_SIZE};
use tayori_domain::usage::Profile;
use tayori_line::RetryKey;
use tayori_ports::Cursor;
use tayori_records::friends::{ProfileReader, TargetMatcher, FRIEND_SHARDS};
use tayori_records::{
    Batch, ChildcareRecords, Friends, Plan, Recipient, RecordError, SourcePage, Testers,
};
use tokio::task::JoinSet;

/// Pages read ahead of planning, beyond one per source being read.
const PAGES_AHEAD: usize = 8;
/// A step takes the pages already read while it cuts at most this many batches, so that its
/// transaction stays well within the store's limits (100 writes, 4 MB on DynamoDB). The first
/// steps are smaller (one batch more per batch planned), so that the first multicast does not
/// wait for a large first write while every shard's first page is already in.
const MAX_STEP_BATCHES: usize = 32;
/// A step is written after this many pages even if they filled no batch, so that a sender
/// resumed in a long read for a small segment does not start again from the beginning.
const MAX_STEP_PAGES: usize = 64;

/// How many sources a delivery's plan reads: the testers, the citizens named for it, or every
/// friend index shard.
pub(super) fn sources(delivery: &Delivery) -> usize {
    if delivery.is_test() || delivery.is_to_named_citizens() {
        1
    } else {
        FRIEND_SHARDS as usize
    }
}

impl Sender {
    /// Feeds the multicast stage: first the stored batches still pending, then every batch
    /// planned from here on. Answers the plan as it ended, with the outcomes of stored batches
    /// that already had one; `None` if another sender moved the plan on.
    pub(super) async fn feed(
        &self,
        delivery: &Delivery,
        mut plan: Plan,
        mut queue: mpsc::Sender<Batch>,
    ) -> Result<Option<(Plan, Ledger)>, SendError> {
        let deliveries = self.deliveries();
        let mut resumed = Ledger::default();
        let mut cursor = None;
        loop {
            let (page, next) = deliveries.batches(delivery.id(), &plan, cursor).await?;
            for batch in page {
                if batch.state().is_pending() {
                    if queue.send(batch).await.is_err() {
                        return Ok(None); // the multicast stage stopped on an error
                    }
                } else {
                    resumed.add(&batch);
                }
            }
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        if plan.is_complete() {
            return Ok(Some((plan, resumed)));
        }
        let (pages, read) = mpsc::channel(PAGES_AHEAD);
        let reading = self.read_sources(delivery, plan.unread(), pages);
        let planning = self.plan_pages(delivery, &mut plan, read, queue);
        let ((), planned) = futures::try_join!(reading, planning)?;
        Ok(planned.then_some((plan, resumed)))
    }

    /// Takes pages as they are read and writes a step whenever a batch is full (taking along the
    /// pages already read), after [`MAX_STEP_PAGES`] pages, or at the end. False if another
    /// sender moved the plan on.
    async fn plan_pages(
        &self,
        delivery: &Delivery,
        plan: &mut Plan,
        mut read: mpsc::Receiver<Result<SourcePage, RecordError>>,
        mut queue: mpsc::Sender<Batch>,
    ) -> Result<bool, SendError> {
        let deliveries = self.deliveries();
        let mut pages = 0;
        while let Some(page) = read.next().await {
            plan.take(page?)?;
            pages += 1;
            let step = (plan.batches() as usize + 1).min(MAX_STEP_BATCHES);
            while plan.carried() < step * BATCH_SIZE {
                match read.try_recv() {
                    Ok(page) => {
                        plan.take(page?)?;
                        pages += 1;
                    }
                    // Nothing more read yet, or every source read.
                    Err(_) => break,
                }
            }
            let all_read = plan.unread().is_empty();
            if plan.carried() < BATCH_SIZE && pages < MAX_STEP_PAGES && !all_read {
                continue;
            }
            let batches = plan.cut(|| RetryKey::new().to_string());
            if !deliveries
                .save_plan_step(delivery.id(), plan, &batches)
                .await?
            {
                return Ok(false);
            }
            pages = 0;
            for batch in batches {
                if queue.send(batch).await.is_err() {
                    return Ok(true); // the multicast stage stopped on an error
                }
            }
            if all_read {
                break;
            }
        }
        Ok(true)
    }

    /// Reads every unread source from where the plan stands, each a page after another, all at
    /// once. Stops early, without error, when planning stops taking pages.
    async fn read_sources(
        &self,
        delivery: &Delivery,
        unread: Vec<(usize, Option<Cursor>)>,
        pages: mpsc::Sender<Result<SourcePage, RecordError>>,
    ) -> Result<(), SendError> {
        if delivery.is_test() {
            let mut testers: Vec<String> = Testers::new(self.platform.table.clone())
                .get()
                .await?
                .into_iter()
                .map(|t| t.user_id)
                .collect();
            testers.sort_unstable();
            testers.dedup();
            for (source, from) in unread {
                let page = SourcePage {
                    source,
                    from,
                    recipients: testers
                        .iter()
                        .map(|id| Recipient::new(id.clone(), Profile::default()))
                        .collect(),
                    next: None,
                };
                let _ = pages.clone().send(Ok(page)).await;
            }
            return Ok(());
        }
        let friends = Friends::new(&self.platform);
        let profiles = Arc::new(friends.profile_reader().await?);
        if delivery.is_to_named_citizens() {
            let page = named_page(&self.platform, &friends, &profiles, delivery, unread).await;
            if let Some(page) = page {
                let _ = pages.clone().send(page).await;
            }
            return Ok(());
        }
        let matcher = Arc::new(friends.matcher(delivery.target()).await?);
        // Each shard is read on its own task, so that decoding and matching pages runs on
        // another core than the multicasts; dropping the set (a crash, a lost lease) stops them.
        let mut readers = JoinSet::new();
        for (source, from) in unread {
            readers.spawn(read_shard(
                friends.clone(),
                matcher.clone(),
                profiles.clone(),
                source,
                from,
                pages.clone(),
            ));
        }
        drop(pages);
        while let Some(read) = readers.join_next().await {
            if let Err(e) = read {
                if e.is_panic() {
                    std::panic::resume_unwind(e.into_panic());
                }
            }
        }
        Ok(())
    }
}

/// The one page of a delivery to named citizens: those of them still friends who have not
/// blocked the account, each once. `None` when its one source was read already.
async fn named_page(
    platform: &tayori_ports::Platform,
    friends: &Friends,
    profiles: &ProfileReader,
    delivery: &Delivery,
    unread: Vec<(usize, Option<Cursor>)>,
) -> Option<Result<SourcePage, RecordError>> {
    let (source, from) = unread.into_iter().next()?;
    let read = async {
        let mut named = ChildcareRecords::new(platform)
            .addressees(delivery.id())
            .await?;
        named.sort_unstable();
        named.dedup();
        let mut recipients = Vec::new();
        for user_id in named {
            if let Some(friend) = friends.listed(&user_id).await? {
                if friend.can_receive_messages() {
                    let profile = profiles.profile(&friend);
                    recipients.push(Recipient::new(friend.user_id, profile));
                }
            }
        }
        Ok(SourcePage {
            source,
            from,
            recipients,
            next: None,
        })
    };
    Some(read.await)
}

/// Reads one shard a page after another into `pages`: the following friends the target matches,
/// with their 年代 and 地区. A failed read is handed on as it is, for planning to stop on.
async fn read_shard(
    friends: Friends,
    matcher: Arc<TargetMatcher>,
    profiles: Arc<ProfileReader>,
    source: usize,
    mut from: Option<Cursor>,
    mut pages: mpsc::Sender<Result<SourcePage, RecordError>>,
) {
    // Sources of a friends' plan are the shards, 0..FRIEND_SHARDS.
    let shard = source as u32;
    loop {
        let page = friends
            .page(shard, from.clone())
            .await
            .map(|(listed, next)| {
                let recipients = listed
                    .into_iter()
                    .filter(|f| f.can_receive_messages() && matcher.matches(f))
                    .map(|f| {
                        let profile = profiles.profile(&f);
                        Recipient::new(f.user_id, profile)
                    })
                    .collect();
                SourcePage {
                    source,
                    from: from.clone(),
                    recipients,
                    next,
                }
            });
        let next = match &page {
            Ok(page) => page.next.clone(),
            Err(_) => None,
        };
        if pages.send(page).await.is_err() || next.is_none() {
            return;
        }
        from = next;
    }
}
