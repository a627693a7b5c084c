//! What the account does with each event: welcome on follow, blocked on unfollow, answers to
//! what citizens write (tester codes, registration commands, then garbage questions and the FAQ
//! read together by the chat's intent layer), a fallback that never leaves them at a dead end,
//! and every event keeps the friend's record current.

use chrono::{DateTime, Utc};
use futures::future::join_all;
use std::collections::HashMap;
use std::sync::Arc;
use tayori_domain::usage::{UsageEvent, UsageKind};
use tayori_intents::{Intents, Recognizer};
use tayori_line::message::{Message, QuickReply, QuickReplyItem};
use tayori_line::webhook::{Event, EventKind, IncomingMessage, Mode};
use tayori_line::LineClient;
use tayori_ports::Platform;
use tayori_records::{
    FriendKit, Friends, Occasion, RecordError, Settings, UsageEvents, WebhookEvents,
};
use tokio::time::Instant;

use crate::batch::Received;
use crate::childcare::ChildcareChat;
use crate::consultations::{ConsultAnswer, ConsultationChat};
use crate::faq::FaqChat;
use crate::garbage::{GarbageChat, TextAnswer};
use crate::registration::{Command, Registration, DEFAULT_PRIVACY_POLICY_PATH};
use crate::reports::{ReportAnswer, ReportChat};
use crate::shelters::{ShelterAnswer, ShelterChat};

/// Said over the nearest questions when the chat was not sure what a message asked.
pub const NEAR_QUESTIONS: &str =
    "お問い合わせの内容に近いものを、下のボタンから選んでください。見つからないときは、別の言い方で送ってください。";
/// LINE's limit of quick reply buttons.
const MAX_QUICK_REPLIES: usize = 13;

/// What became of a batch.
pub struct Handled {
    /// Events not started before the deadline, in LINE's order for each friend.
    pub deferred: Vec<Received>,
    /// The first storage failure; its friend's later events were not handled.
    pub result: Result<(), RecordError>,
}

pub struct Conversation {
    platform: Platform,
    line: Arc<LineClient>,
    friends: Friends,
    settings: Settings,
    seen: WebhookEvents,
    usage: UsageEvents,
    registration: Registration,
    shelters: ShelterChat,
    reports: ReportChat,
    faq: FaqChat,
    consultations: ConsultationChat,
    childcare: ChildcareChat,
    sample_calendar: tayori_garbage::SampleCalendar,
}

impl Conversation {
    pub fn new(platform: Platform, line: Arc<LineClient>, city: &str) -> Self {
        Self {
            friends: Friends::new(&platform),
            settings: Settings::new(platform.table.clone(), city),
            seen: WebhookEvents::new(platform.table.clone()),
            usage: UsageEvents::new(platform.table.clone()),
            registration: Registration::new(&platform, DEFAULT_PRIVACY_POLICY_PATH.into()),
            shelters: ShelterChat::new(&platform),
            reports: ReportChat::new(&platform, String::new()),
            faq: FaqChat::new(tayori_faq::desk::FaqDesk::new(&platform)),
            consultations: ConsultationChat::new(&platform, line.clone()),
            childcare: ChildcareChat::new(&platform),
            sample_calendar: Default::default(),
            platform,
            line,
        }
    }

    /// Whether garbage questions may be answered from the shipped sample calendar.
    pub fn set_sample_calendar(&mut self, sample_calendar: tayori_garbage::SampleCalendar) {
        self.sample_calendar = sample_calendar;
    }

    /// Where `/media/` is served over https, for the thumbnails in 「通報履歴」 and the FAQ's
    /// pictures.
    pub fn set_media_base_url(&mut self, url: String) {
        self.faq.set_media_base_url(url.clone());
        self.reports.set_media_base_url(url);
    }

    /// Where the registration invitation links for the full privacy policy.
    pub fn set_privacy_policy_url(&mut self, url: String) {
        self.registration.set_privacy_policy_url(url);
    }

    /// Handles a batch: friends concurrently, each friend's events in the order LINE sent them.
    /// With a `deadline`, no event starts after it: the events not started yet (each friend's
    /// last ones) are given back for the bus, unclaimed, so that whoever handles them later
    /// claims them as usual. Events already started are finished.
    pub async fn handle_batch(&self, events: Vec<Received>, deadline: Option<Instant>) -> Handled {
        let mut by_source: HashMap<String, Vec<Received>> = HashMap::new();
        let mut order = Vec::new();
        for received in events {
            let key = received
                .event
                .source
                .user_id()
                .unwrap_or_default()
                .to_string();
            if !by_source.contains_key(&key) {
                order.push(key.clone());
            }
            by_source.entry(key).or_default().push(received);
        }
        let outcomes = join_all(order.into_iter().map(|key| {
            let events = by_source.remove(&key).unwrap_or_default();
            async move {
                let mut events = events.into_iter();
                while let Some(received) = events.next() {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        let left: Vec<Received> = std::iter::once(received).chain(events).collect();
                        return (left, Ok(()));
                    }
                    if let Err(e) = self.handle_once(received.event).await {
                        // The rest of this friend's events wait for LINE's redelivery, in order.
                        return (Vec::new(), Err(e));
                    }
                }
                (Vec::new(), Ok(()))
            }
        }))
        .await;
        let mut handled = Handled {
            deferred: Vec::new(),
            result: Ok(()),
        };
        for (left, result) in outcomes {
            handled.deferred.extend(left);
            if handled.result.is_ok() {
                handled.result = result;
            }
        }
        handled
    }

    async fn handle_once(&self, event: Event) -> Result<(), RecordError> {
        // In standby another channel (e.g. a module) is in charge of the chat: observe nothing.
        if event.mode == Mode::Standby {
            return Ok(());
        }
        let now = self.platform.clock.now();
        let id = event.webhook_event_id.clone();
        // A redelivery is looked up before it is claimed, so that one already handled costs a
        // read and no write; a first delivery is claimed at once (one call, not two).
        let already_handled = !id.is_empty()
            && ((event.is_redelivery && self.seen.taken(&id).await?)
                || !self.seen.claim(&id, now).await?);
        if already_handled {
            tracing::info!(webhook_event_id = %id, "event already handled; skipped");
            return Ok(());
        }
        let result = self.handle(event, now).await;
        if result.is_err() && !id.is_empty() {
            // Let LINE's redelivery try again rather than lose the event.
            if let Err(e) = self.seen.release(&id).await {
                tracing::error!(error = %e, "could not release a failed event's claim");
            }
        }
        result
    }

    async fn handle(&self, event: Event, now: DateTime<Utc>) -> Result<(), RecordError> {
        let at = DateTime::from_timestamp_millis(event.timestamp).unwrap_or(now);
        // What the event counts as in the usage report is counted once for the event, however
        // often LINE delivers it or a failed handling is retried.
        let occasion = Occasion::line_event(&event.webhook_event_id);
        let Some(user_id) = event.source.user_id().map(str::to_owned) else {
            tracing::info!("event without a user (group or room); nothing to do");
            return Ok(());
        };
        match &event.kind {
            EventKind::Follow { .. } => {
                let friend = self
                    .friends
                    .update(&user_id, at, |f| f.followed(at))
                    .await?;
                self.count(UsageKind::FriendAdded, at, &occasion, &friend)
                    .await;
                // Counted for the place whose add-friend page they opened, if they did.
                let kit = FriendKit::new(self.platform.table.clone());
                if let Err(e) = kit.followed(&friend, at, &occasion).await {
                    tracing::warn!(error = %e, "a follow's place was not counted");
                }
                let greetings = self.settings.greetings().await?;
                // The invitation to register follows the welcome in the same reply.
                let invitation = self.registration.invitation().await?;
                self.reply(&event, vec![Message::text(greetings.welcome), invitation])
                    .await;
            }
            EventKind::Unfollow => {
                let friend = self.friends.update(&user_id, at, |f| f.blocked(at)).await?;
                self.count(UsageKind::FriendBlocked, at, &occasion, &friend)
                    .await;
            }
            EventKind::Message(message) => {
                let friend = self.friends.update(&user_id, at, |f| f.seen(at)).await?;
                // An open consultation takes everything the citizen writes: the bot is silent
                // while a person handles it.
                if self.answered_by_consultations(&event, &friend).await {
                    return Ok(());
                }
                // A report in progress takes its location, photos and texts first: a location
                // sent for a report is not a shelter lookup.
                if self.answered_by_reports(&event, &friend).await {
                    return Ok(());
                }
                if self.answered_by_shelters(&event, &friend, at).await {
                    return Ok(());
                }
                if let Some(messages) = self.childcare.answer(&event, &user_id, now).await {
                    self.reply(&event, messages).await;
                    return Ok(());
                }
                let near = match message {
                    IncomingMessage::Text { text, .. } => {
                        match self.answer_text(&friend, text, at, now, &occasion).await? {
                            TextAnswer::Answered(messages) => {
                                self.reply(&event, messages).await;
                                return Ok(());
                            }
                            TextAnswer::Unsure(near) if near.is_empty() => {
                                // Nothing answered it: staff see it to add an FAQ.
                                self.faq.unanswered(text, &friend, at, &occasion).await;
                                near
                            }
                            TextAnswer::Unsure(near) => near,
                        }
                    }
                    _ => Vec::new(),
                };
                let messages = self.fallback(near).await?;
                self.reply(&event, messages).await;
            }
            EventKind::Postback { data, .. } => {
                // Rich menu areas and buttons answer with postbacks: counted as menu taps;
                // answers to the questionnaire are not.
                let friend = self.friends.update(&user_id, at, |f| f.seen(at)).await?;
                let command = Command::from_postback(data);
                if !command.as_ref().is_some_and(Command::is_answer) {
                    self.count(UsageKind::MenuTap, at, &occasion, &friend).await;
                }
                if self.answered_by_consultations(&event, &friend).await {
                    return Ok(());
                }
                if self.answered_by_reports(&event, &friend).await {
                    return Ok(());
                }
                if self.answered_by_shelters(&event, &friend, at).await {
                    return Ok(());
                }
                if let Some(messages) = self.childcare.answer(&event, &user_id, now).await {
                    self.reply(&event, messages).await;
                    return Ok(());
                }
                if let Some(command) = command {
                    let messages = self
                        .registration
                        .handle(&user_id, command, at, &occasion)
                        .await?;
                    self.reply(&event, messages).await;
                } else if let Some(messages) =
                    self.faq.answer_postback(data, &friend, at, &occasion).await
                {
                    self.reply(&event, messages).await;
                } else if let Some(messages) =
                    GarbageChat::new(&self.platform, self.sample_calendar)
                        .answer_postback(&user_id, data, now)
                        .await?
                {
                    self.count(UsageKind::GarbageQuestion, at, &occasion, &friend)
                        .await;
                    self.reply(&event, messages).await;
                }
            }
            EventKind::Unknown { event_type } => {
                tracing::info!(event_type = %event_type, "event type not handled");
                self.friends.update(&user_id, at, |f| f.seen(at)).await?;
            }
            _ => {
                self.friends.update(&user_id, at, |f| f.seen(at)).await?;
            }
        }
        Ok(())
    }

    /// A citizen's text: tester codes and registration commands by their exact words; else
    /// read by the chat's intent layer over the garbage domain and the FAQ together, and
    /// answered by the feature whose reading is best; otherwise the nearest questions, if any,
    /// for the fallback.
    async fn answer_text(
        &self,
        friend: &tayori_domain::Friend,
        text: &str,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
        occasion: &Occasion,
    ) -> Result<TextAnswer, RecordError> {
        let user_id = friend.user_id.as_str();
        if let Some(request) = crate::testers::TesterRequest::from_text(text) {
            let testers = crate::testers::TesterRegistration::new(self.platform.table.clone());
            let answer = testers.handle(user_id, request, now).await?;
            return Ok(TextAnswer::Answered(vec![answer]));
        }
        if let Some(command) = Command::from_text(text) {
            let answer = self
                .registration
                .handle(user_id, command, at, occasion)
                .await?;
            return Ok(TextAnswer::Answered(answer));
        }
        let garbage = GarbageChat::new(&self.platform, self.sample_calendar);
        let reading = garbage.reading().await?;
        let faq = self.faq.index().await;
        let mut domains: Vec<&dyn Intents> = vec![reading.intents()];
        if let Some(faq) = &faq {
            domains.push(faq.index());
        }
        let recognition = Recognizer::new(domains).recognize(text);
        if let Some(faq) = &faq {
            let answer = self
                .faq
                .answer(faq, &recognition, text, friend, at, occasion)
                .await;
            if let Some(messages) = answer {
                return Ok(TextAnswer::Answered(messages));
            }
        }
        let answer = garbage
            .answer_recognition(user_id, &reading, recognition, now)
            .await?;
        if matches!(answer, TextAnswer::Answered(_)) {
            self.count(UsageKind::GarbageQuestion, at, occasion, friend)
                .await;
        }
        Ok(answer)
    }

    /// What a message nothing understood gets, never a dead end: the nearest questions as
    /// buttons when there are some; otherwise the default reply staff set, with buttons for
    /// what the account does.
    async fn fallback(&self, near: Vec<QuickReplyItem>) -> Result<Vec<Message>, RecordError> {
        if !near.is_empty() {
            let near = near.into_iter().take(MAX_QUICK_REPLIES).collect();
            return Ok(vec![
                Message::text(NEAR_QUESTIONS).with_quick_reply(QuickReply::new(near))
            ]);
        }
        let greetings = self.settings.greetings().await?;
        let mut buttons = GarbageChat::new(&self.platform, self.sample_calendar)
            .usual_buttons()
            .await?;
        buttons.extend([
            QuickReplyItem::postback("近くの避難所", crate::shelters::ASK_POSTBACK),
            QuickReplyItem::postback("通報する", tayori_reporting::chat::START),
        ]);
        if ConsultationChat::is_offered() {
            buttons.push(QuickReplyItem::postback(
                crate::consultations::START_WORD,
                crate::consultations::START,
            ));
        }
        if self.childcare.is_offered().await {
            buttons.push(QuickReplyItem::postback(
                crate::childcare::WORD,
                crate::childcare::MENU,
            ));
        }
        buttons.extend([
            QuickReplyItem::postback("登録内容", "reg:show"),
            QuickReplyItem::postback("登録変更", "reg:start"),
        ]);
        buttons.truncate(MAX_QUICK_REPLIES);
        Ok(vec![
            Message::text(greetings.default_reply).with_quick_reply(QuickReply::new(buttons))
        ])
    }

    /// Whether the consultation feature took the event (replied, or took it silently into the
    /// citizen's open case).
    async fn answered_by_consultations(
        &self,
        event: &Event,
        friend: &tayori_domain::Friend,
    ) -> bool {
        match self.consultations.answer(event, friend).await {
            Some(ConsultAnswer::Reply(messages)) => self.reply(event, messages).await,
            Some(ConsultAnswer::Silent) => {}
            None => return false,
        }
        true
    }

    /// Whether the report feature took the event (replied, or handed a photo to the bus).
    async fn answered_by_reports(&self, event: &Event, friend: &tayori_domain::Friend) -> bool {
        match self.reports.answer(event, friend).await {
            Some(ReportAnswer::Reply(messages)) => self.reply(event, messages).await,
            Some(ReportAnswer::HandedOver) => {}
            None => return false,
        }
        true
    }

    /// Whether the shelter feature took the event (replied, or handed it to the bus).
    async fn answered_by_shelters(
        &self,
        event: &Event,
        friend: &tayori_domain::Friend,
        at: DateTime<Utc>,
    ) -> bool {
        match self.shelters.answer(event, friend, at).await {
            Some(ShelterAnswer::Reply(messages)) => self.reply(event, messages).await,
            Some(ShelterAnswer::HandedOver) => {}
            None => return false,
        }
        true
    }

    async fn count(
        &self,
        kind: UsageKind,
        at: DateTime<Utc>,
        occasion: &Occasion,
        friend: &tayori_domain::Friend,
    ) {
        let event = UsageEvent::one(kind, at).with_attributes(friend.attributes.clone());
        self.usage.record_quietly(occasion, &event).await;
    }

    /// A failed reply is logged, not retried later: reply tokens are single-use and short-lived.
    async fn reply(&self, event: &Event, messages: Vec<Message>) {
        let Some(token) = &event.reply_token else {
            return;
        };
        if let Err(e) = self.line.reply(token, messages).await {
            tracing::error!(error = %e, webhook_event_id = %event.webhook_event_id, "reply failed");
        }
    }
}
