//! A form (フォーム): an 申請, an アンケート or a 予約 that a 課 builds in the console and citizens
//! answer in LINE (仕様書 3.2.6, 6.2.2.1–6.2.2.4, 7.2.1). Fields are private: every change is one
//! of [`Form`]'s methods, which check who makes it (フォームの作成・編集 in the form's department)
//! and that the form stays whole (fields well defined, a reservation with slots, the close time
//! after the open time).
//!
//! Versions: a form edited after its first answer gets a new version number, and each answer
//! keeps the version it was given with, so the repository keeps every version and an old answer
//! is always read against the questions it answered. Field ids stay the same across versions.

pub mod analysis;
pub mod answer;
pub mod draft;
pub mod field;
pub mod value;

use crate::report::StaffName;
use crate::staff::{Permission, StaffAccount};
use crate::time::{format_jst, jst};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use analysis::{
    ChoiceCount, CrossTab, CrossTabRow, FormAnalysis, QuestionAnalysis, QuestionSummary, Tally,
};
pub use answer::{
    answer_receipt, Answer, AnswerError, AnswerFiling, AnswerHistoryEntry, AnswerStatus, ChangedBy,
    DepartmentNotice, Viewer, MAX_MEMO_CHARS, MAX_RECEIPT_CHARS,
};
pub use draft::{DraftError, FormDraft, DRAFT_KEPT};
pub use field::{
    Condition, Field, FieldId, FieldKind, FileType, MAX_FIELDS, MAX_FILES, MAX_FILE_BYTES,
};
pub use value::{
    format_bytes, AnswerProblem, AnswerValue, Audience, CheckedValues, FieldError, FieldErrors,
    FileRef, Submitted,
};

pub const MAX_TITLE_CHARS: usize = 80;
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Same limit as a report category's 担当課.
pub const MAX_DEPARTMENT_CHARS: usize = crate::report::category::MAX_DEPARTMENT_CHARS;
/// The receipt message's own text (the answer summary follows it).
pub const MAX_RECEIPT_MESSAGE_CHARS: usize = 1000;
/// Reservation slots per form: a month of half-hour slots on weekdays fits.
pub const MAX_SLOTS: usize = 400;

/// A form's id: the uuid the desk gives it (any 1–64 of `0-9 a-z A-Z -`, so ids of imported
/// forms fit too).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FormId(String);

impl FormId {
    pub fn parse(raw: &str) -> Result<Self, FormError> {
        let id = raw.trim();
        let ok = (1..=64).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok {
            Ok(Self(id.to_string()))
        } else {
            Err(FormError::BadFormId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FormId {
    type Error = FormError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<FormId> for String {
    fn from(id: FormId) -> Self {
        id.0
    }
}

impl std::fmt::Display for FormId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the form is for; it decides the answers' statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// 申請.
    Application,
    /// アンケート (7.2.1): a form with analysis.
    Questionnaire,
    /// 予約: the citizen picks a slot.
    Reservation,
}

impl FormKind {
    pub const ALL: [FormKind; 3] = [Self::Application, Self::Questionnaire, Self::Reservation];

    pub fn label(self) -> &'static str {
        match self {
            Self::Application => "申請",
            Self::Questionnaire => "アンケート",
            Self::Reservation => "予約",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Questionnaire => "questionnaire",
            Self::Reservation => "reservation",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormStatus {
    /// 下書き: only staff see it.
    Draft,
    /// 公開中: citizens see it (and may answer between the open and close times).
    Open,
    /// 終了: no longer taking answers; the answers stay.
    Closed,
}

impl FormStatus {
    pub const ALL: [FormStatus; 3] = [Self::Draft, Self::Open, Self::Closed];

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "下書き",
            Self::Open => "公開中",
            Self::Closed => "終了",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// How often one citizen may answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PerCitizen {
    /// 1回のみ.
    Once,
    /// 何度でも.
    Many,
}

impl PerCitizen {
    pub fn label(self) -> &'static str {
        match self {
            Self::Once => "1回のみ",
            Self::Many => "何度でも",
        }
    }
}

/// A reservation slot's id: 1–32 of `a-z 0-9 _ -`, stable across versions (answers keep it and
/// the repository counts per slot).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SlotId(String);

impl SlotId {
    pub fn parse(raw: &str) -> Result<Self, FormError> {
        let id = raw.trim();
        if field::is_slug(id) {
            Ok(Self(id.to_string()))
        } else {
            Err(FormError::BadSlotId(raw.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SlotId {
    type Error = FormError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SlotId> for String {
    fn from(id: SlotId) -> Self {
        id.0
    }
}

impl std::fmt::Display for SlotId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// 予約枠: a date and a time span in Japan, with how many may book it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub id: SlotId,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub capacity: u32,
}

impl Slot {
    /// When the slot starts (its JST date and time, as UTC).
    pub fn starts_at(&self) -> DateTime<Utc> {
        jst()
            .from_local_datetime(&self.date.and_time(self.start))
            .single()
            .expect("JST has no gaps or folds")
            .with_timezone(&Utc)
    }

    /// 「2026年12月1日(火) 10:00〜10:30」.
    pub fn label(&self) -> String {
        format!(
            "{} {}〜{}",
            value::format_date(self.date),
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

/// What staff set in the builder: everything but the id, version and status. Serde so that
/// the builder page may post it as JSON; [`Form::new`] and [`Form::edit`] check it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormSettings {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// 担当課: staff whose scope covers it edit the form and handle its answers.
    pub department: String,
    pub kind: FormKind,
    pub per_citizen: PerCitizen,
    #[serde(default)]
    pub opens_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub closes_at: Option<DateTime<Utc>>,
    /// Answers the whole form takes (定員); `None`: no limit.
    #[serde(default)]
    pub capacity: Option<u32>,
    /// Only for reservations.
    #[serde(default)]
    pub slots: Vec<Slot>,
    /// The receipt message's text; the answer's summary follows it.
    #[serde(default)]
    pub receipt_message: String,
    #[serde(default)]
    pub fields: Vec<Field>,
    /// 新しい回答の通知先メールアドレス: the department's mailbox told of each new answer
    /// (6.2.2.3). Blank: nobody is mailed.
    #[serde(default)]
    pub notice_address: Option<String>,
}

/// The answers counted so far, from the repository (which keeps the counts under the same
/// transaction as the answers).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Answers that hold a place: cancelled ones are not counted.
    pub total: u32,
    #[serde(default)]
    pub per_slot: BTreeMap<SlotId, u32>,
}

impl Counts {
    pub fn in_slot(&self, slot: &SlotId) -> u32 {
        self.per_slot.get(slot).copied().unwrap_or(0)
    }
}

/// Whether the form takes answers now: what the LIFF page says **before** the citizen types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// 下書き: not shown to citizens at all.
    NotPublished,
    /// 受付前.
    BeforeOpen { opens_at: DateTime<Utc> },
    /// 受付中.
    Open,
    /// 受付終了: closed by staff, past the close time, or every slot has started.
    Ended,
    /// 定員に達しました: the form's capacity, or every slot still ahead is full.
    Full,
}

impl Availability {
    pub fn label(self) -> &'static str {
        match self {
            Self::NotPublished => "非公開",
            Self::BeforeOpen { .. } => "受付前",
            Self::Open => "受付中",
            Self::Ended => "受付終了",
            Self::Full => "定員に達しました",
        }
    }

    pub fn is_open(self) -> bool {
        self == Self::Open
    }

    /// For the LIFF page's JSON.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotPublished => "not_published",
            Self::BeforeOpen { .. } => "before_open",
            Self::Open => "open",
            Self::Ended => "ended",
            Self::Full => "full",
        }
    }

    /// What the citizen reads instead of the form.
    pub fn message(self) -> String {
        match self {
            Self::NotPublished => "このフォームは公開されていません。".into(),
            Self::BeforeOpen { opens_at } => {
                format!("このフォームの受付は{}からです。", format_jst(opens_at))
            }
            Self::Open => "受付中です。".into(),
            Self::Ended => "このフォームの受付は終了しました。".into(),
            Self::Full => "定員に達したため、受付を終了しました。".into(),
        }
    }
}

/// One slot as the citizen's slot picker shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotAvailability {
    pub slot: Slot,
    pub remaining: u32,
    /// Started slots are shown greyed, not offered.
    pub started: bool,
}

impl SlotAvailability {
    pub fn bookable(&self) -> bool {
        !self.started && self.remaining > 0
    }

    /// 「残り3」「満席」「受付終了」.
    pub fn label(&self) -> String {
        if self.started {
            "受付終了".into()
        } else if self.remaining == 0 {
            "満席".into()
        } else {
            format!("残り{}", self.remaining)
        }
    }
}

/// What an edit did: the repository overwrites the version or keeps the old one beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edited {
    /// No answers yet: the version was changed in place.
    InPlace { version: u32 },
    /// The form had answers: `to` is a new version, `from` stays readable.
    NewVersion { from: u32, to: u32 },
}

impl Edited {
    pub fn version(self) -> u32 {
        match self {
            Self::InPlace { version } => version,
            Self::NewVersion { to, .. } => to,
        }
    }
}

/// Why a form definition, a state change or a slot choice is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("フォームのIDが正しくありません。")]
    BadFormId,
    #[error("項目ID「{0}」は半角英小文字・数字・「_」「-」で1〜32文字にしてください。")]
    BadFieldId(String),
    #[error("予約枠ID「{0}」は半角英小文字・数字・「_」「-」で1〜32文字にしてください。")]
    BadSlotId(String),
    #[error("フォームの作成・編集の権限がないため、この操作はできません。")]
    NoPermission,
    #[error("このフォームは{0}の担当です。担当課の範囲外のため、この操作はできません。")]
    OtherDepartment(String),
    #[error("フォーム回答の出力の権限がないため、この操作はできません。")]
    NoExportPermission,
    #[error("タイトルを入力してください。")]
    NoTitle,
    #[error("タイトルは{MAX_TITLE_CHARS}文字以内にしてください。")]
    TitleTooLong,
    #[error("説明は{MAX_DESCRIPTION_CHARS}文字以内にしてください。")]
    DescriptionTooLong,
    #[error("担当課を入力してください。")]
    NoDepartment,
    #[error("担当課は{MAX_DEPARTMENT_CHARS}文字以内にしてください。")]
    DepartmentTooLong,
    #[error("受付メッセージは{MAX_RECEIPT_MESSAGE_CHARS}文字以内にしてください。")]
    ReceiptMessageTooLong,
    #[error("通知先メールアドレスの形式が正しくありません（例: kikaku@city.obama.lg.jp）。")]
    BadNoticeAddress,
    #[error("通知先メールアドレスが長すぎます（254文字まで）。")]
    NoticeAddressTooLong,
    #[error("受付終了日時は受付開始日時より後にしてください。")]
    ClosesBeforeOpening,
    #[error("定員は1以上にしてください（定員なしの場合は空欄にしてください）。")]
    ZeroCapacity,
    #[error("項目は{MAX_FIELDS}個までです。")]
    TooManyFields,
    #[error("項目ID「{0}」が重複しています。")]
    DuplicateFieldId(String),
    #[error("項目「{0}」の名前を入力してください。")]
    NoLabel(String),
    #[error("項目名「{0}」は{max}文字以内にしてください。", max = field::MAX_LABEL_CHARS)]
    LabelTooLong(String),
    #[error("「{0}」の補足説明は{max}文字以内にしてください。", max = field::MAX_HELP_CHARS)]
    HelpTooLong(String),
    #[error("「{0}」の最大文字数は1〜{1}にしてください。")]
    BadMaxChars(String, u32),
    #[error("「{0}」の最小値が最大値より大きくなっています。")]
    MinAboveMax(String),
    #[error("「{0}」は整数の項目のため、最小値・最大値も整数にしてください。")]
    FractionalBound(String),
    #[error("「{0}」の選択肢を1つ以上入力してください。")]
    NoChoices(String),
    #[error("「{0}」の選択肢は{max}個までです。", max = field::MAX_CHOICES)]
    TooManyChoices(String),
    #[error("「{0}」に空の選択肢があります。")]
    EmptyChoice(String),
    #[error("「{0}」の選択肢は1つ{max}文字以内にしてください。", max = field::MAX_CHOICE_CHARS)]
    ChoiceTooLong(String),
    #[error("「{0}」の選択肢「{1}」が重複しています。")]
    DuplicateChoice(String, String),
    #[error("「{0}」の選べる数の指定が選択肢の数と合いません。")]
    BadPicks(String),
    #[error("「{0}」で受け付けるファイルの種類を1つ以上選んでください。")]
    NoFileTypes(String),
    #[error("「{0}」のファイルの大きさの上限は10MBまでにしてください。")]
    FileLimit(String),
    #[error("「{0}」のファイル数は1〜{max}にしてください。", max = field::MAX_FILES)]
    FileCount(String),
    #[error("「{0}」の本文を入力してください。")]
    NoBlockText(String),
    #[error("「{0}」の本文は{max}文字以内にしてください。", max = field::MAX_BLOCK_TEXT_CHARS)]
    BlockTextTooLong(String),
    #[error("「{0}」の表示条件は、それより前の項目を選んでください。")]
    ConditionNotEarlier(String),
    #[error(
        "「{0}」の表示条件に使えるのは、単一選択・複数選択・プルダウン・同意チェックの項目です。"
    )]
    ConditionKind(String),
    #[error("「{0}」の表示条件の値「{1}」は、条件の項目の選択肢にありません。")]
    ConditionValue(String, String),
    #[error("「{0}」の表示条件には、同じ人（市民または職員）が入力する項目を選んでください。")]
    ConditionAudience(String),
    #[error("「{0}」の郵便番号の項目には、それより前の郵便番号の項目を選んでください。")]
    AddressPostalField(String),
    #[error("予約枠は予約フォームにだけ設定できます。")]
    SlotsOnlyForReservations,
    #[error("予約枠は{MAX_SLOTS}個までです。")]
    TooManySlots,
    #[error("予約枠ID「{0}」が重複しています。")]
    DuplicateSlot(String),
    #[error("予約枠「{0}」の終了時刻は開始時刻より後にしてください。")]
    SlotEndsBeforeStart(String),
    #[error("予約枠「{0}」の定員は1以上にしてください。")]
    SlotCapacityZero(String),
    #[error("予約枠「{0}」にはすでに予約があるため、削除できません。")]
    SlotInUse(String),
    #[error("回答があるフォームの種類は変更できません。")]
    KindChangeWithAnswers,
    #[error("市民が回答する項目が1つもないため、公開できません。")]
    NoCitizenFields,
    #[error("予約フォームには予約枠を1つ以上設定してください。")]
    NoSlots,
    #[error("このフォームはすでに「{0}」です。")]
    AlreadyInStatus(&'static str),
    #[error("「{0}」のフォームは{1}できません。")]
    NotFromStatus(&'static str, &'static str),
    #[error("受付終了日時を過ぎています。受付終了日時を変更してから公開してください。")]
    ClosePassed,
    #[error("{}", .0.message())]
    Unavailable(Availability),
    #[error("予約枠を選んでください。")]
    SlotRequired,
    #[error("このフォームには予約枠がありません。")]
    NoSlotTaken,
    #[error("選ばれた予約枠はありません。")]
    UnknownSlot,
    #[error("この枠は満席です。別の枠を選んでください。")]
    SlotFull,
    #[error("この枠の受付は終了しました。別の枠を選んでください。")]
    SlotStarted,
    #[error("項目「{0}」はこのフォームにありません。")]
    UnknownQuestion(String),
    #[error("「{0}」は選択式の項目ではないため、クロス集計できません。")]
    NotAChoiceQuestion(String),
}

/// A form. The serde layout is the stored layout of one version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Form {
    id: FormId,
    version: u32,
    status: FormStatus,
    title: String,
    #[serde(default)]
    description: String,
    department: String,
    kind: FormKind,
    per_citizen: PerCitizen,
    #[serde(default)]
    opens_at: Option<DateTime<Utc>>,
    #[serde(default)]
    closes_at: Option<DateTime<Utc>>,
    #[serde(default)]
    capacity: Option<u32>,
    #[serde(default)]
    slots: Vec<Slot>,
    #[serde(default)]
    receipt_message: String,
    /// Default so that forms stored before notice addresses existed still read.
    #[serde(default)]
    notice_address: Option<String>,
    fields: Vec<Field>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    updated_by: StaffName,
}

fn check_editor(by: &StaffAccount, department: &str) -> Result<(), FormError> {
    if !by.may(Permission::FormsEdit) {
        return Err(FormError::NoPermission);
    }
    if !by.may_in(Permission::FormsEdit, department) {
        return Err(FormError::OtherDepartment(department.to_string()));
    }
    Ok(())
}

/// Checks and trims the settings (the definition alone; publishing adds its own rules).
fn checked(s: FormSettings) -> Result<FormSettings, FormError> {
    let title = s.title.trim().to_string();
    let description = s.description.trim().to_string();
    let department = s.department.trim().to_string();
    let receipt_message = s.receipt_message.trim().to_string();
    if title.is_empty() {
        return Err(FormError::NoTitle);
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(FormError::TitleTooLong);
    }
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(FormError::DescriptionTooLong);
    }
    if department.is_empty() {
        return Err(FormError::NoDepartment);
    }
    if department.chars().count() > MAX_DEPARTMENT_CHARS {
        return Err(FormError::DepartmentTooLong);
    }
    if receipt_message.chars().count() > MAX_RECEIPT_MESSAGE_CHARS {
        return Err(FormError::ReceiptMessageTooLong);
    }
    if let (Some(open), Some(close)) = (s.opens_at, s.closes_at) {
        if close <= open {
            return Err(FormError::ClosesBeforeOpening);
        }
    }
    if s.capacity == Some(0) {
        return Err(FormError::ZeroCapacity);
    }
    if !s.slots.is_empty() && s.kind != FormKind::Reservation {
        return Err(FormError::SlotsOnlyForReservations);
    }
    if s.slots.len() > MAX_SLOTS {
        return Err(FormError::TooManySlots);
    }
    for (i, slot) in s.slots.iter().enumerate() {
        if s.slots[..i].iter().any(|o| o.id == slot.id) {
            return Err(FormError::DuplicateSlot(slot.id.to_string()));
        }
        if slot.end <= slot.start {
            return Err(FormError::SlotEndsBeforeStart(slot.label()));
        }
        if slot.capacity == 0 {
            return Err(FormError::SlotCapacityZero(slot.label()));
        }
    }
    let mut slots = s.slots;
    slots.sort_by_key(|slot| (slot.date, slot.start, slot.end));
    let notice_address = checked_notice_address(s.notice_address.as_deref())?;
    let fields = field::check_fields(s.fields)?;
    Ok(FormSettings {
        title,
        description,
        department,
        receipt_message,
        slots,
        fields,
        notice_address,
        ..s
    })
}

impl Form {
    /// A new form, 下書き, version 1.
    pub fn new(
        id: FormId,
        settings: FormSettings,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<Form, FormError> {
        let s = checked(settings)?;
        check_editor(by, &s.department)?;
        Ok(Form {
            id,
            version: 1,
            status: FormStatus::Draft,
            title: s.title,
            description: s.description,
            department: s.department,
            kind: s.kind,
            per_citizen: s.per_citizen,
            opens_at: s.opens_at,
            closes_at: s.closes_at,
            capacity: s.capacity,
            slots: s.slots,
            receipt_message: s.receipt_message,
            fields: s.fields,
            notice_address: s.notice_address,
            created_at: now,
            updated_at: now,
            updated_by: StaffName::of(by),
        })
    }

    /// Whether the console lists the form for `by`: any of the forms permissions in its
    /// department.
    pub fn visible_to(&self, by: &StaffAccount) -> bool {
        [
            Permission::FormsEdit,
            Permission::FormsViewAnswers,
            Permission::FormsExport,
        ]
        .into_iter()
        .any(|p| by.may_in(p, &self.department))
    }

    /// Whether `by` may export the form's answers (CSV): フォーム回答の出力 in its department.
    pub fn check_exporter(&self, by: &StaffAccount) -> Result<(), FormError> {
        if !by.may(Permission::FormsExport) {
            return Err(FormError::NoExportPermission);
        }
        if !by.may_in(Permission::FormsExport, &self.department) {
            return Err(FormError::OtherDepartment(self.department.clone()));
        }
        Ok(())
    }

    /// Whether `by` may edit, publish or close the form.
    pub fn check_editor(&self, by: &StaffAccount) -> Result<(), FormError> {
        check_editor(by, &self.department)
    }

    /// Replaces the settings. When the form already has answers (`has_answers`, from the
    /// repository's counts) the result is a new version, its kind stays, and no slot that may
    /// hold a booking goes away. A form taking answers must stay answerable. A refusal leaves
    /// the form as it was.
    pub fn edit(
        &mut self,
        settings: FormSettings,
        has_answers: bool,
        by: &StaffAccount,
        now: DateTime<Utc>,
    ) -> Result<Edited, FormError> {
        self.check_editor(by)?;
        let s = checked(settings)?;
        // Moving the form to another 課 needs the right in both.
        check_editor(by, &s.department)?;
        if has_answers {
            if s.kind != self.kind {
                return Err(FormError::KindChangeWithAnswers);
            }
            if let Some(gone) = self
                .slots
                .iter()
                .find(|old| !s.slots.iter().any(|new| new.id == old.id))
            {
                return Err(FormError::SlotInUse(gone.label()));
            }
        }
        if self.status == FormStatus::Open {
            check_answerable(&s.fields, s.kind, &s.slots)?;
        }
        let edited = if has_answers {
            Edited::NewVersion {
                from: self.version,
                to: self.version + 1,
            }
        } else {
            Edited::InPlace {
                version: self.version,
            }
        };
        *self = Form {
            id: self.id.clone(),
            version: edited.version(),
            status: self.status,
            title: s.title,
            description: s.description,
            department: s.department,
            kind: s.kind,
            per_citizen: s.per_citizen,
            opens_at: s.opens_at,
            closes_at: s.closes_at,
            capacity: s.capacity,
            slots: s.slots,
            receipt_message: s.receipt_message,
            fields: s.fields,
            notice_address: s.notice_address,
            created_at: self.created_at,
            updated_at: now,
            updated_by: StaffName::of(by),
        };
        Ok(edited)
    }

    /// 下書き → 公開中. Needs a field citizens answer, a slot for a reservation, and a close time
    /// still ahead.
    pub fn publish(&mut self, by: &StaffAccount, now: DateTime<Utc>) -> Result<(), FormError> {
        self.check_editor(by)?;
        match self.status {
            FormStatus::Draft => {}
            FormStatus::Open => return Err(FormError::AlreadyInStatus(FormStatus::Open.label())),
            FormStatus::Closed => {
                return Err(FormError::NotFromStatus(FormStatus::Closed.label(), "公開"))
            }
        }
        if self.closes_at.is_some_and(|close| close <= now) {
            return Err(FormError::ClosePassed);
        }
        check_answerable(&self.fields, self.kind, &self.slots)?;
        self.set_status(FormStatus::Open, by, now);
        Ok(())
    }

    /// 公開中 → 終了: stops taking answers at once, whatever the close time says.
    pub fn close(&mut self, by: &StaffAccount, now: DateTime<Utc>) -> Result<(), FormError> {
        self.check_editor(by)?;
        match self.status {
            FormStatus::Open => {}
            FormStatus::Closed => {
                return Err(FormError::AlreadyInStatus(FormStatus::Closed.label()))
            }
            FormStatus::Draft => {
                return Err(FormError::NotFromStatus(FormStatus::Draft.label(), "終了"))
            }
        }
        self.set_status(FormStatus::Closed, by, now);
        Ok(())
    }

    /// 終了 → 公開中, unless the close time has passed (it would reopen only to stay closed).
    pub fn reopen(&mut self, by: &StaffAccount, now: DateTime<Utc>) -> Result<(), FormError> {
        self.check_editor(by)?;
        match self.status {
            FormStatus::Closed => {}
            s => return Err(FormError::NotFromStatus(s.label(), "再開")),
        }
        if self.closes_at.is_some_and(|close| close <= now) {
            return Err(FormError::ClosePassed);
        }
        check_answerable(&self.fields, self.kind, &self.slots)?;
        self.set_status(FormStatus::Open, by, now);
        Ok(())
    }

    fn set_status(&mut self, to: FormStatus, by: &StaffAccount, now: DateTime<Utc>) {
        self.status = to;
        self.updated_at = now;
        self.updated_by = StaffName::of(by);
    }

    /// Whether the form takes answers at `now`, given the counts so far.
    pub fn availability(&self, now: DateTime<Utc>, counts: &Counts) -> Availability {
        match self.status {
            FormStatus::Draft => return Availability::NotPublished,
            FormStatus::Closed => return Availability::Ended,
            FormStatus::Open => {}
        }
        if let Some(opens_at) = self.opens_at.filter(|open| *open > now) {
            return Availability::BeforeOpen { opens_at };
        }
        if self.closes_at.is_some_and(|close| close <= now) {
            return Availability::Ended;
        }
        if self.capacity.is_some_and(|cap| counts.total >= cap) {
            return Availability::Full;
        }
        if self.kind == FormKind::Reservation {
            let slots = self.slot_availability(now, counts);
            if slots.iter().all(|s| s.started) {
                return Availability::Ended;
            }
            if !slots.iter().any(SlotAvailability::bookable) {
                return Availability::Full;
            }
        }
        Availability::Open
    }

    /// Each slot with its remaining places, in time order.
    pub fn slot_availability(&self, now: DateTime<Utc>, counts: &Counts) -> Vec<SlotAvailability> {
        self.slots
            .iter()
            .map(|slot| SlotAvailability {
                slot: slot.clone(),
                remaining: slot.capacity.saturating_sub(counts.in_slot(&slot.id)),
                started: slot.starts_at() <= now,
            })
            .collect()
    }

    /// Whether an answer may be taken now and into which slot: the form must be 受付中, and a
    /// reservation needs a slot of its own that has not started and has a place left. The
    /// repository repeats the capacity checks in its transaction; this gives the reason first.
    pub fn check_open(
        &self,
        slot: Option<&str>,
        now: DateTime<Utc>,
        counts: &Counts,
    ) -> Result<Option<SlotId>, FormError> {
        let availability = self.availability(now, counts);
        if !availability.is_open() {
            return Err(FormError::Unavailable(availability));
        }
        let slot = slot.map(str::trim).filter(|s| !s.is_empty());
        if self.kind != FormKind::Reservation {
            return match slot {
                Some(_) => Err(FormError::NoSlotTaken),
                None => Ok(None),
            };
        }
        let id = slot.ok_or(FormError::SlotRequired)?;
        let chosen = self
            .slot_availability(now, counts)
            .into_iter()
            .find(|s| s.slot.id.as_str() == id)
            .ok_or(FormError::UnknownSlot)?;
        if chosen.started {
            return Err(FormError::SlotStarted);
        }
        if chosen.remaining == 0 {
            return Err(FormError::SlotFull);
        }
        Ok(Some(chosen.slot.id))
    }

    pub fn id(&self) -> &FormId {
        &self.id
    }
    pub fn version(&self) -> u32 {
        self.version
    }
    pub fn status(&self) -> FormStatus {
        self.status
    }
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn department(&self) -> &str {
        &self.department
    }
    pub fn kind(&self) -> FormKind {
        self.kind
    }
    pub fn per_citizen(&self) -> PerCitizen {
        self.per_citizen
    }
    pub fn opens_at(&self) -> Option<DateTime<Utc>> {
        self.opens_at
    }
    pub fn closes_at(&self) -> Option<DateTime<Utc>> {
        self.closes_at
    }
    /// 受付期間 as the console and the LIFF page show it, in JST: 「2026年12月1日 09:00〜」,
    /// 「〜2026年12月10日 17:00」, both, or 「期間の定めなし」.
    pub fn period_label(&self) -> String {
        match (self.opens_at, self.closes_at) {
            (None, None) => "期間の定めなし".into(),
            (open, close) => format!(
                "{}〜{}",
                open.map(format_jst).unwrap_or_default(),
                close.map(format_jst).unwrap_or_default()
            ),
        }
    }
    pub fn capacity(&self) -> Option<u32> {
        self.capacity
    }
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }
    pub fn slot(&self, id: &SlotId) -> Option<&Slot> {
        self.slots.iter().find(|s| &s.id == id)
    }
    pub fn receipt_message(&self) -> &str {
        &self.receipt_message
    }
    /// 新しい回答の通知先メールアドレス, checked when saved.
    pub fn notice_address(&self) -> Option<&str> {
        self.notice_address.as_deref()
    }
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }
    pub fn field(&self, id: &FieldId) -> Option<&Field> {
        self.fields.iter().find(|f| &f.id == id)
    }
    /// What the LIFF page shows: every field but the staff-only ones.
    pub fn citizen_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| !f.staff_only)
    }
    /// 管理者用項目, filled in the console.
    pub fn staff_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.staff_only)
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    pub fn updated_by(&self) -> &StaffName {
        &self.updated_by
    }

    /// The settings as they are, for the builder to start an edit from.
    pub fn settings(&self) -> FormSettings {
        FormSettings {
            title: self.title.clone(),
            description: self.description.clone(),
            department: self.department.clone(),
            kind: self.kind,
            per_citizen: self.per_citizen,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            capacity: self.capacity,
            slots: self.slots.clone(),
            receipt_message: self.receipt_message.clone(),
            fields: self.fields.clone(),
            notice_address: self.notice_address.clone(),
        }
    }
}

/// The notice address trimmed, blank as none. The rule is the mail port's `MailAddress::parse`
/// (the domain cannot depend on ports): ASCII `local@domain`, the local part a dot-atom of at
/// most 64 bytes, a domain of two or more labels, no line break, at most 254 bytes, so that an
/// address saved here is one the mailer takes.
fn checked_notice_address(raw: Option<&str>) -> Result<Option<String>, FormError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    if raw.contains(['\r', '\n']) {
        return Err(FormError::BadNoticeAddress);
    }
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() > 254 {
        return Err(FormError::NoticeAddressTooLong);
    }
    let atom = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b))
    };
    let label = |part: &str| {
        !part.is_empty()
            && part.len() <= 63
            && !part.starts_with('-')
            && !part.ends_with('-')
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let well_formed = text.split_once('@').is_some_and(|(local, domain)| {
        local.len() <= 64
            && local.split('.').all(atom)
            && domain.split('.').count() >= 2
            && domain.split('.').all(label)
    });
    if !well_formed {
        return Err(FormError::BadNoticeAddress);
    }
    Ok(Some(text.to_string()))
}

/// A form citizens can answer: a field they fill, and slots when it is a reservation.
fn check_answerable(fields: &[Field], kind: FormKind, slots: &[Slot]) -> Result<(), FormError> {
    if !fields.iter().any(|f| !f.staff_only && f.takes_answer()) {
        return Err(FormError::NoCitizenFields);
    }
    if kind == FormKind::Reservation && slots.is_empty() {
        return Err(FormError::NoSlots);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
