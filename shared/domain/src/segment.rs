//! Segment items (セグメント項目): what citizens register about themselves (年代, 性別, 居住地区,
//! 関心 …) so that deliveries reach only those they concern, and the filter a delivery targets.
//!
//! Items and choices are retired, never deleted: a delivery sent to 「地区: 雲浜」 last year must
//! still describe and count the same way after the city reorganises its districts.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The 12 地区 of 小浜市, the default choices of 居住地区.
/// The segment item holding a citizen's district. Garbage notices and lookups go by its
/// choices, so its id stays when staff rename the item.
pub const DISTRICT_ITEM: &str = "district";

pub const OBAMA_DISTRICTS: [&str; 12] = [
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// One choice (年代, 性別, 居住地区).
    One,
    /// Any number of choices (関心).
    Many,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// What is stored in the citizen's attributes; also shown (the city's own words).
    pub value: String,
    #[serde(default)]
    pub retired: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentItem {
    /// Stable key in `Friend::attributes`, e.g. `district`.
    pub id: String,
    /// Shown to staff and in target descriptions, e.g. 居住地区.
    pub label: String,
    /// Asked in the chat questionnaire and the LIFF form, e.g. お住まいの地区を教えてください。
    pub question: String,
    pub answer: Answer,
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub retired: bool,
}

impl SegmentItem {
    pub fn new(id: &str, label: &str, question: &str, answer: Answer, choices: &[&str]) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            question: question.into(),
            answer,
            choices: choices
                .iter()
                .map(|c| Choice {
                    value: (*c).into(),
                    retired: false,
                })
                .collect(),
            retired: false,
        }
    }

    /// Choices a citizen can pick now.
    pub fn open_choices(&self) -> impl Iterator<Item = &Choice> {
        self.choices.iter().filter(|c| !c.retired)
    }

    pub fn has_choice(&self, value: &str) -> bool {
        self.choices.iter().any(|c| c.value == value)
    }
}

/// The city's segment items, in the order the questionnaire asks them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentItems {
    pub items: Vec<SegmentItem>,
}

impl SegmentItems {
    /// What a new city starts with: 年代, 性別, 居住地区 (小浜市's 12 地区) and 関心.
    pub fn obama_defaults() -> Self {
        Self {
            items: vec![
                SegmentItem::new(
                    "age_group",
                    "年代",
                    "年代を教えてください。",
                    Answer::One,
                    &[
                        "10代以下",
                        "20代",
                        "30代",
                        "40代",
                        "50代",
                        "60代",
                        "70代以上",
                    ],
                ),
                SegmentItem::new(
                    "gender",
                    "性別",
                    "性別を教えてください。",
                    Answer::One,
                    &["男性", "女性", "回答しない"],
                ),
                SegmentItem::new(
                    DISTRICT_ITEM,
                    "居住地区",
                    "お住まいの地区を教えてください。",
                    Answer::One,
                    &OBAMA_DISTRICTS,
                ),
                SegmentItem::new(
                    "interests",
                    "関心",
                    "関心のある分野を選んでください（複数選べます）。",
                    Answer::Many,
                    &["子育て", "防災", "ごみ", "イベント", "観光", "健康"],
                ),
            ],
        }
    }

    pub fn get(&self, id: &str) -> Option<&SegmentItem> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Items the questionnaire asks now, in order.
    pub fn open_items(&self) -> impl Iterator<Item = &SegmentItem> {
        self.items.iter().filter(|i| !i.retired)
    }
}

/// LINE shows at most 13 quick reply buttons: a one-answer question needs one for スキップ, a
/// many-answer question one for スキップ and one for 決定.
pub const MAX_OPEN_CHOICES_ONE: usize = 12;
pub const MAX_OPEN_CHOICES_MANY: usize = 11;
/// A choice is a quick reply label, which LINE limits to 20 characters.
pub const MAX_CHOICE_CHARS: usize = 20;
pub const MAX_LABEL_CHARS: usize = 20;
/// A question is a text message; kept short so that it reads well on a phone.
pub const MAX_QUESTION_CHARS: usize = 200;

/// Why a staff member's change to the items was refused; the message is shown beside the field
/// named by [`SegmentEditError::field`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SegmentEditError {
    #[error("項目名を入力してください。")]
    EmptyLabel,
    #[error("項目名は{MAX_LABEL_CHARS}文字以内にしてください。")]
    LabelTooLong,
    #[error("項目名「{0}」はすでにあります。")]
    DuplicateLabel(String),
    #[error("質問文を入力してください。")]
    EmptyQuestion,
    #[error("質問文は{MAX_QUESTION_CHARS}文字以内にしてください。")]
    QuestionTooLong,
    #[error("選択肢を入力してください。")]
    EmptyChoice,
    #[error(
        "選択肢は{MAX_CHOICE_CHARS}文字以内にしてください（LINEのボタンに表示できる長さです）。"
    )]
    ChoiceTooLong,
    #[error("選択肢「{0}」はすでにあります（廃止したものも含みます）。")]
    DuplicateChoice(String),
    #[error("使用中の選択肢は{0}個までです（LINEのボタンの数の上限）。使わない選択肢を廃止してください。")]
    TooManyChoices(usize),
    #[error("セグメント項目「{0}」はありません。")]
    UnknownItem(String),
    #[error("選択肢が見つかりません。")]
    UnknownChoice,
}

impl SegmentEditError {
    /// The form field the message belongs beside.
    pub fn field(&self) -> &'static str {
        match self {
            Self::EmptyLabel | Self::LabelTooLong | Self::DuplicateLabel(_) => "label",
            Self::EmptyQuestion | Self::QuestionTooLong => "question",
            Self::EmptyChoice
            | Self::ChoiceTooLong
            | Self::DuplicateChoice(_)
            | Self::TooManyChoices(_)
            | Self::UnknownChoice => "choice",
            Self::UnknownItem(_) => "item",
        }
    }
}

/// Why a citizen's answer was refused (the LIFF form, a stale chat button).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("「{0}」という登録項目はありません。")]
    UnknownItem(String),
    #[error("「{item}」に「{value}」という選択肢はありません。")]
    UnknownChoice { item: String, value: String },
    #[error("「{0}」は1つだけ選んでください。")]
    OneOnly(String),
}

impl SegmentItem {
    /// Open choices a question of this kind may have, given LINE's 13 quick reply buttons.
    pub fn max_open_choices(&self) -> usize {
        match self.answer {
            Answer::One => MAX_OPEN_CHOICES_ONE,
            Answer::Many => MAX_OPEN_CHOICES_MANY,
        }
    }

    /// The citizen's chosen `values`, checked against the open choices and put in choice order
    /// (duplicates dropped). An empty list means "not registered".
    pub fn check_answer(&self, values: &[String]) -> Result<Vec<String>, AnswerError> {
        if let Some(bad) = values
            .iter()
            .find(|v| !self.open_choices().any(|c| &c.value == *v))
        {
            return Err(AnswerError::UnknownChoice {
                item: self.label.clone(),
                value: bad.clone(),
            });
        }
        let ordered: Vec<String> = self
            .open_choices()
            .filter(|c| values.contains(&c.value))
            .map(|c| c.value.clone())
            .collect();
        if self.answer == Answer::One && ordered.len() > 1 {
            return Err(AnswerError::OneOnly(self.label.clone()));
        }
        Ok(ordered)
    }
}

fn checked_text(
    text: &str,
    max: usize,
    empty: SegmentEditError,
    long: SegmentEditError,
) -> Result<String, SegmentEditError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(empty);
    }
    if text.chars().count() > max {
        return Err(long);
    }
    Ok(text.to_string())
}

impl SegmentItems {
    fn get_mut(&mut self, id: &str) -> Result<&mut SegmentItem, SegmentEditError> {
        self.items
            .iter_mut()
            .find(|i| i.id == id)
            .ok_or_else(|| SegmentEditError::UnknownItem(id.to_string()))
    }

    fn check_label(&self, label: &str, except: Option<&str>) -> Result<String, SegmentEditError> {
        let label = checked_text(
            label,
            MAX_LABEL_CHARS,
            SegmentEditError::EmptyLabel,
            SegmentEditError::LabelTooLong,
        )?;
        if self
            .items
            .iter()
            .any(|i| i.label == label && Some(i.id.as_str()) != except)
        {
            return Err(SegmentEditError::DuplicateLabel(label));
        }
        Ok(label)
    }

    /// Adds an item at the end of the questionnaire, without choices yet; answers its id, a
    /// short stable key (`item5`) that never changes when the label does.
    pub fn add_item(
        &mut self,
        label: &str,
        question: &str,
        answer: Answer,
    ) -> Result<String, SegmentEditError> {
        let label = self.check_label(label, None)?;
        let question = checked_text(
            question,
            MAX_QUESTION_CHARS,
            SegmentEditError::EmptyQuestion,
            SegmentEditError::QuestionTooLong,
        )?;
        let id = (self.items.len() + 1..)
            .map(|n| format!("item{n}"))
            .find(|id| self.get(id).is_none())
            .expect("an unused id exists");
        self.items.push(SegmentItem {
            id: id.clone(),
            label,
            question,
            answer,
            choices: Vec::new(),
            retired: false,
        });
        Ok(id)
    }

    /// Changes what staff and citizens read; the id, and so every registration, stays.
    pub fn rename(
        &mut self,
        id: &str,
        label: &str,
        question: &str,
    ) -> Result<(), SegmentEditError> {
        let label = self.check_label(label, Some(id))?;
        let question = checked_text(
            question,
            MAX_QUESTION_CHARS,
            SegmentEditError::EmptyQuestion,
            SegmentEditError::QuestionTooLong,
        )?;
        let item = self.get_mut(id)?;
        item.label = label;
        item.question = question;
        Ok(())
    }

    pub fn add_choice(&mut self, id: &str, value: &str) -> Result<(), SegmentEditError> {
        let value = checked_text(
            value,
            MAX_CHOICE_CHARS,
            SegmentEditError::EmptyChoice,
            SegmentEditError::ChoiceTooLong,
        )?;
        let item = self.get_mut(id)?;
        // A retired choice keeps its value: reusing it would merge old and new registrations.
        if item.has_choice(&value) {
            return Err(SegmentEditError::DuplicateChoice(value));
        }
        if item.open_choices().count() >= item.max_open_choices() {
            return Err(SegmentEditError::TooManyChoices(item.max_open_choices()));
        }
        item.choices.push(Choice {
            value,
            retired: false,
        });
        Ok(())
    }

    /// Moves an item one place earlier (`up`) or later in the questionnaire; at either end
    /// nothing changes.
    pub fn move_item(&mut self, id: &str, up: bool) -> Result<(), SegmentEditError> {
        let at = self
            .items
            .iter()
            .position(|i| i.id == id)
            .ok_or_else(|| SegmentEditError::UnknownItem(id.to_string()))?;
        let to = if up {
            at.checked_sub(1)
        } else {
            Some(at + 1).filter(|t| *t < self.items.len())
        };
        if let Some(to) = to {
            self.items.swap(at, to);
        }
        Ok(())
    }

    /// Retires (no longer asked, registrations kept) or restores an item.
    pub fn set_item_retired(&mut self, id: &str, retired: bool) -> Result<(), SegmentEditError> {
        self.get_mut(id)?.retired = retired;
        Ok(())
    }

    /// Retires (no longer offered, registrations and old targets kept) or restores a choice.
    pub fn set_choice_retired(
        &mut self,
        id: &str,
        index: usize,
        retired: bool,
    ) -> Result<(), SegmentEditError> {
        let item = self.get_mut(id)?;
        let max = item.max_open_choices();
        let open = item.open_choices().count();
        let choice = item
            .choices
            .get_mut(index)
            .ok_or(SegmentEditError::UnknownChoice)?;
        if !retired && choice.retired && open >= max {
            return Err(SegmentEditError::TooManyChoices(max));
        }
        choice.retired = retired;
        Ok(())
    }

    /// A citizen's whole registration (item id → values), checked: only open items and open
    /// choices, one value for one-answer items. Items with no values are left out.
    pub fn check_registration(
        &self,
        answers: &BTreeMap<String, Vec<String>>,
    ) -> Result<BTreeMap<String, Vec<String>>, AnswerError> {
        let mut checked = BTreeMap::new();
        for (id, values) in answers {
            let item = self
                .get(id)
                .filter(|i| !i.retired)
                .ok_or_else(|| AnswerError::UnknownItem(id.clone()))?;
            let values = item.check_answer(values)?;
            if !values.is_empty() {
                checked.insert(id.clone(), values);
            }
        }
        Ok(checked)
    }

    /// A friend's attributes after registering `answers` for the open items: the open items'
    /// values are replaced (an unanswered one is removed), a retired item's value is kept.
    pub fn apply_registration(
        &self,
        attributes: &BTreeMap<String, Vec<String>>,
        answers: &BTreeMap<String, Vec<String>>,
    ) -> BTreeMap<String, Vec<String>> {
        let mut next: BTreeMap<String, Vec<String>> = attributes
            .iter()
            .filter(|(id, _)| self.get(id).is_none_or(|i| i.retired))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (id, values) in answers {
            if !values.is_empty() {
                next.insert(id.clone(), values.clone());
            }
        }
        next
    }
}

/// How a condition combines the chosen values of one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// The citizen registered at least one of the values (いずれか).
    AnyOf,
    /// The citizen registered every one of the values (すべて).
    AllOf,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentCondition {
    pub item: String,
    pub matching: Match,
    pub values: Vec<String>,
}

/// Who a delivery goes to. Conditions are combined with AND; a citizen who has not registered
/// an item does not match a condition on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    All,
    Segment { conditions: Vec<SegmentCondition> },
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("セグメント項目「{0}」はありません。")]
    UnknownItem(String),
    #[error("「{item}」に選択肢「{value}」はありません。")]
    UnknownChoice { item: String, value: String },
    #[error("「{0}」の選択肢を1つ以上選んでください。")]
    NoValues(String),
    #[error("条件を1つ以上指定するか、「すべての友だち」を選んでください。")]
    NoConditions,
}

impl Target {
    pub fn matches(&self, attributes: &BTreeMap<String, Vec<String>>) -> bool {
        self.matches_by(|item, value| {
            attributes
                .get(item)
                .is_some_and(|registered| registered.iter().any(|v| v == value))
        })
    }

    /// The same decision from any way of asking "did the citizen register `value` for `item`?",
    /// e.g. a keyed hash of the pair looked up among the friend's, where the values themselves
    /// are sealed.
    pub fn matches_by(&self, registered: impl Fn(&str, &str) -> bool) -> bool {
        match self {
            Target::All => true,
            Target::Segment { conditions } => conditions.iter().all(|c| {
                let has = |v: &String| registered(&c.item, v);
                match c.matching {
                    Match::AnyOf => c.values.iter().any(has),
                    Match::AllOf => c.values.iter().all(has),
                }
            }),
        }
    }

    /// Checks the target against the items; retired items and choices may still be targeted
    /// (a duplicated old delivery keeps working), unknown ones may not.
    pub fn validate(&self, items: &SegmentItems) -> Result<(), TargetError> {
        let Target::Segment { conditions } = self else {
            return Ok(());
        };
        if conditions.is_empty() {
            return Err(TargetError::NoConditions);
        }
        for c in conditions {
            let item = items
                .get(&c.item)
                .ok_or_else(|| TargetError::UnknownItem(c.item.clone()))?;
            if c.values.is_empty() {
                return Err(TargetError::NoValues(item.label.clone()));
            }
            if let Some(value) = c.values.iter().find(|v| !item.has_choice(v)) {
                return Err(TargetError::UnknownChoice {
                    item: item.label.clone(),
                    value: value.clone(),
                });
            }
        }
        Ok(())
    }

    /// For staff and logs: 「すべての友だち」 or 「年代: 30代 かつ 居住地区: 雲浜・西津」.
    pub fn describe(&self, items: &SegmentItems) -> String {
        match self {
            Target::All => "すべての友だち".into(),
            Target::Segment { conditions } => conditions
                .iter()
                .map(|c| {
                    let label = items.get(&c.item).map_or(c.item.as_str(), |i| &i.label);
                    let joiner = match c.matching {
                        Match::AnyOf => "・",
                        Match::AllOf => "＋",
                    };
                    format!("{label}: {}", c.values.join(joiner))
                })
                .collect::<Vec<_>>()
                .join(" かつ "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citizen(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    fn condition(item: &str, matching: Match, values: &[&str]) -> SegmentCondition {
        SegmentCondition {
            item: item.into(),
            matching,
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn conditions_on_several_items_must_all_hold() {
        let target = Target::Segment {
            conditions: vec![
                condition("age_group", Match::AnyOf, &["30代"]),
                condition("district", Match::AnyOf, &["雲浜", "西津"]),
            ],
        };
        assert!(target.matches(&citizen(&[
            ("age_group", &["30代"]),
            ("district", &["雲浜"])
        ])));
        assert!(target.matches(&citizen(&[
            ("age_group", &["30代"]),
            ("district", &["西津"])
        ])));
        assert!(!target.matches(&citizen(&[
            ("age_group", &["40代"]),
            ("district", &["雲浜"])
        ])));
        assert!(
            !target.matches(&citizen(&[("age_group", &["30代"])])),
            "unregistered"
        );
        assert!(Target::All.matches(&citizen(&[])));
    }

    #[test]
    fn all_of_needs_every_value_and_any_of_one() {
        let any = Target::Segment {
            conditions: vec![condition("interests", Match::AnyOf, &["子育て", "防災"])],
        };
        let all = Target::Segment {
            conditions: vec![condition("interests", Match::AllOf, &["子育て", "防災"])],
        };
        let parent = citizen(&[("interests", &["子育て", "観光"])]);
        let both = citizen(&[("interests", &["防災", "子育て"])]);
        assert!(any.matches(&parent) && !all.matches(&parent));
        assert!(any.matches(&both) && all.matches(&both));
    }

    #[test]
    fn targets_are_described_in_the_citys_words_and_checked_against_the_items() {
        let items = SegmentItems::obama_defaults();
        let target = Target::Segment {
            conditions: vec![
                condition("age_group", Match::AnyOf, &["30代"]),
                condition("district", Match::AnyOf, &["雲浜", "西津"]),
            ],
        };
        assert_eq!(
            target.describe(&items),
            "年代: 30代 かつ 居住地区: 雲浜・西津"
        );
        assert_eq!(target.validate(&items), Ok(()));
        let unknown = Target::Segment {
            conditions: vec![condition("district", Match::AnyOf, &["東京"])],
        };
        assert_eq!(
            unknown.validate(&items).unwrap_err().to_string(),
            "「居住地区」に選択肢「東京」はありません。"
        );
        let empty = Target::Segment { conditions: vec![] };
        assert_eq!(empty.validate(&items), Err(TargetError::NoConditions));
    }

    #[test]
    fn a_retired_choice_is_no_longer_offered_but_still_targets() {
        let mut items = SegmentItems::obama_defaults();
        let district = items.items.iter_mut().find(|i| i.id == "district").unwrap();
        district.choices[0].retired = true;
        let district = items.get("district").unwrap();
        assert_eq!(district.open_choices().count(), 11);
        let old = Target::Segment {
            conditions: vec![condition("district", Match::AnyOf, &["小浜"])],
        };
        assert_eq!(old.validate(&items), Ok(()));
        assert_eq!(old.describe(&items), "居住地区: 小浜");
    }

    #[test]
    fn staff_add_an_item_with_choices_and_it_is_asked_last() {
        let mut items = SegmentItems::obama_defaults();
        let id = items
            .add_item(" 職業 ", "ご職業を教えてください。", Answer::One)
            .unwrap();
        assert_eq!(id, "item5");
        items.add_choice(&id, "会社員").unwrap();
        items.add_choice(&id, "学生").unwrap();
        let last = items.open_items().last().unwrap();
        assert_eq!((last.id.as_str(), last.label.as_str()), ("item5", "職業"));
        assert_eq!(last.choices.len(), 2);
        assert_eq!(
            items.add_choice(&id, "学生"),
            Err(SegmentEditError::DuplicateChoice("学生".into()))
        );
        assert_eq!(
            items.add_choice(&id, "  "),
            Err(SegmentEditError::EmptyChoice)
        );
        assert_eq!(
            items.add_item("", "q", Answer::One),
            Err(SegmentEditError::EmptyLabel)
        );
        assert_eq!(
            items.add_item("年代", "q", Answer::One),
            Err(SegmentEditError::DuplicateLabel("年代".into()))
        );
        assert_eq!(SegmentEditError::EmptyLabel.field(), "label");
    }

    #[test]
    fn a_retired_choice_cannot_be_added_again_and_open_choices_fit_lines_buttons() {
        let mut items = SegmentItems::obama_defaults();
        // 居住地区 already has 12 open choices: the 13th button is スキップ.
        assert_eq!(
            items.add_choice("district", "東小浜"),
            Err(SegmentEditError::TooManyChoices(12))
        );
        items.set_choice_retired("district", 0, true).unwrap();
        assert_eq!(
            items.add_choice("district", "小浜"),
            Err(SegmentEditError::DuplicateChoice("小浜".into()))
        );
        items.add_choice("district", "東小浜").unwrap();
        assert_eq!(
            items.set_choice_retired("district", 0, false),
            Err(SegmentEditError::TooManyChoices(12)),
            "restoring would make 13 open choices"
        );
        assert_eq!(
            items.add_choice("district", &"あ".repeat(21)),
            Err(SegmentEditError::ChoiceTooLong)
        );
    }

    #[test]
    fn items_move_up_and_down_and_stay_put_at_the_ends() {
        let mut items = SegmentItems::obama_defaults();
        let order = |i: &SegmentItems| i.items.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
        items.move_item("district", true).unwrap();
        assert_eq!(
            order(&items),
            ["age_group", "district", "gender", "interests"]
        );
        items.move_item("age_group", true).unwrap();
        items.move_item("interests", false).unwrap();
        assert_eq!(
            order(&items),
            ["age_group", "district", "gender", "interests"]
        );
        items.move_item("age_group", false).unwrap();
        assert_eq!(
            order(&items),
            ["district", "age_group", "gender", "interests"]
        );
        assert!(items.move_item("nope", true).is_err());
    }

    #[test]
    fn renaming_keeps_the_id_that_registrations_use() {
        let mut items = SegmentItems::obama_defaults();
        items
            .rename("district", "お住まいの地区", "どちらにお住まいですか。")
            .unwrap();
        assert_eq!(items.get("district").unwrap().label, "お住まいの地区");
        assert_eq!(
            items.rename("district", "年代", "q"),
            Err(SegmentEditError::DuplicateLabel("年代".into()))
        );
        assert_eq!(
            items.rename("district", "地区", " "),
            Err(SegmentEditError::EmptyQuestion)
        );
    }

    #[test]
    fn answers_are_checked_against_open_choices_and_kept_in_choice_order() {
        let mut items = SegmentItems::obama_defaults();
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let interests = items.get("interests").unwrap();
        assert_eq!(
            interests.check_answer(&v(&["防災", "子育て", "防災"])),
            Ok(v(&["子育て", "防災"]))
        );
        let age = items.get("age_group").unwrap();
        assert_eq!(
            age.check_answer(&v(&["20代", "30代"])),
            Err(AnswerError::OneOnly("年代".into()))
        );
        assert!(age.check_answer(&v(&["100代"])).is_err());
        items.set_choice_retired("age_group", 1, true).unwrap();
        assert!(items
            .get("age_group")
            .unwrap()
            .check_answer(&v(&["20代"]))
            .is_err());
        items.set_item_retired("gender", true).unwrap();
        let answers: BTreeMap<String, Vec<String>> = [("gender".to_string(), v(&["女性"]))].into();
        assert_eq!(
            items.check_registration(&answers),
            Err(AnswerError::UnknownItem("gender".into()))
        );
    }

    #[test]
    fn registering_replaces_open_items_and_keeps_retired_ones() {
        let mut items = SegmentItems::obama_defaults();
        items.set_item_retired("gender", true).unwrap();
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let before: BTreeMap<String, Vec<String>> = [
            ("gender".to_string(), v(&["女性"])),
            ("age_group".to_string(), v(&["30代"])),
            ("district".to_string(), v(&["雲浜"])),
        ]
        .into();
        let answers: BTreeMap<String, Vec<String>> =
            [("district".to_string(), v(&["西津"]))].into();
        let after = items.apply_registration(&before, &answers);
        let expected: BTreeMap<String, Vec<String>> = [
            ("gender".to_string(), v(&["女性"])),
            ("district".to_string(), v(&["西津"])),
        ]
        .into();
        assert_eq!(
            after, expected,
            "skipped 年代 is removed, retired 性別 kept"
        );
    }
}
