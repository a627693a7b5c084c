//! A report category (通報の種類): what citizens choose first, which 課 handles it, and what the
//! intake asks for it. Staff edit them; the defaults are 小浜市's.

use serde::{Deserialize, Serialize};

/// At most this many extra questions per category: each is one more chat turn for a citizen
/// standing next to a broken guard rail.
pub const MAX_QUESTIONS: usize = 3;
/// A free-text answer to an extra question, in characters.
pub const MAX_ANSWER_CHARS: usize = 200;
pub const MAX_CATEGORY_NAME_CHARS: usize = 40;
pub const MAX_DEPARTMENT_CHARS: usize = 40;
pub const MAX_DESCRIPTION_CHARS: usize = 200;
pub const MAX_QUESTION_CHARS: usize = 100;

/// A category's id: a short slug (`road`, `wildlife`), 1–32 of `a-z 0-9 -`, fixed once created:
/// reports keep it in their snapshot and the usage report counts by it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CategoryId(String);

impl CategoryId {
    pub fn parse(raw: &str) -> Result<Self, CategoryError> {
        let id = raw.trim();
        let ok = (1..=32).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(id.to_string()))
        } else {
            Err(CategoryError::BadId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CategoryId {
    type Error = CategoryError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CategoryId> for String {
    fn from(id: CategoryId) -> Self {
        id.0
    }
}

impl std::fmt::Display for CategoryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An extra question the intake asks after the details (「何頭いましたか」); answered in free text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub label: String,
    pub required: bool,
}

/// What staff edit about a category: everything but its id and whether it is retired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategorySettings {
    pub name: String,
    /// 担当課: staff whose scope covers it handle the category's reports.
    pub department: String,
    pub description: String,
    pub photo_required: bool,
    /// When false the intake asks the citizen's name and phone (kept sealed).
    pub anonymous_allowed: bool,
    pub questions: Vec<Question>,
    /// Urgent reports (bear sightings) head the staff list while open.
    pub urgent: bool,
    /// Where it appears in the citizen's list (smaller first).
    pub order: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CategoryError {
    #[error("種類のIDは半角英小文字・数字・「-」で1〜32文字にしてください。")]
    BadId,
    #[error("種類の名前を入力してください。")]
    NoName,
    #[error("種類の名前は{MAX_CATEGORY_NAME_CHARS}文字以内にしてください。")]
    NameTooLong,
    #[error("担当課を入力してください。")]
    NoDepartment,
    #[error("担当課は{MAX_DEPARTMENT_CHARS}文字以内にしてください。")]
    DepartmentTooLong,
    #[error("説明は{MAX_DESCRIPTION_CHARS}文字以内にしてください。")]
    DescriptionTooLong,
    #[error("追加の質問は{MAX_QUESTIONS}つまでです。")]
    TooManyQuestions,
    #[error("{0}つ目の質問が空です。")]
    EmptyQuestion(usize),
    #[error("{0}つ目の質問は{MAX_QUESTION_CHARS}文字以内にしてください。")]
    QuestionTooLong(usize),
    #[error("ID「{0}」の種類はすでにあります。")]
    DuplicateId(String),
}

/// A category. Fields are private: `new` and `edit` check the settings, `retire` hides it from
/// citizens while the reports filed under it keep their snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    id: CategoryId,
    name: String,
    department: String,
    description: String,
    photo_required: bool,
    anonymous_allowed: bool,
    #[serde(default)]
    questions: Vec<Question>,
    urgent: bool,
    #[serde(default)]
    retired: bool,
    order: u32,
}

fn checked(settings: CategorySettings) -> Result<CategorySettings, CategoryError> {
    let name = settings.name.trim().to_string();
    let department = settings.department.trim().to_string();
    let description = settings.description.trim().to_string();
    if name.is_empty() {
        return Err(CategoryError::NoName);
    }
    if name.chars().count() > MAX_CATEGORY_NAME_CHARS {
        return Err(CategoryError::NameTooLong);
    }
    if department.is_empty() {
        return Err(CategoryError::NoDepartment);
    }
    if department.chars().count() > MAX_DEPARTMENT_CHARS {
        return Err(CategoryError::DepartmentTooLong);
    }
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(CategoryError::DescriptionTooLong);
    }
    if settings.questions.len() > MAX_QUESTIONS {
        return Err(CategoryError::TooManyQuestions);
    }
    let mut questions = Vec::with_capacity(settings.questions.len());
    for (i, q) in settings.questions.into_iter().enumerate() {
        let label = q.label.trim().to_string();
        if label.is_empty() {
            return Err(CategoryError::EmptyQuestion(i + 1));
        }
        if label.chars().count() > MAX_QUESTION_CHARS {
            return Err(CategoryError::QuestionTooLong(i + 1));
        }
        questions.push(Question {
            label,
            required: q.required,
        });
    }
    Ok(CategorySettings {
        name,
        department,
        description,
        questions,
        ..settings
    })
}

impl Category {
    pub fn new(id: CategoryId, settings: CategorySettings) -> Result<Self, CategoryError> {
        let s = checked(settings)?;
        Ok(Self {
            id,
            name: s.name,
            department: s.department,
            description: s.description,
            photo_required: s.photo_required,
            anonymous_allowed: s.anonymous_allowed,
            questions: s.questions,
            urgent: s.urgent,
            retired: false,
            order: s.order,
        })
    }

    /// Replaces the settings; a refusal leaves the category as it was.
    pub fn edit(&mut self, settings: CategorySettings) -> Result<(), CategoryError> {
        let retired = self.retired;
        *self = Self::new(self.id.clone(), settings)?;
        self.retired = retired;
        Ok(())
    }

    /// No longer offered to citizens; its reports stay as they are.
    pub fn retire(&mut self) {
        self.retired = true;
    }

    pub fn reinstate(&mut self) {
        self.retired = false;
    }

    pub fn settings(&self) -> CategorySettings {
        CategorySettings {
            name: self.name.clone(),
            department: self.department.clone(),
            description: self.description.clone(),
            photo_required: self.photo_required,
            anonymous_allowed: self.anonymous_allowed,
            questions: self.questions.clone(),
            urgent: self.urgent,
            order: self.order,
        }
    }

    pub fn id(&self) -> &CategoryId {
        &self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn department(&self) -> &str {
        &self.department
    }
    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn photo_required(&self) -> bool {
        self.photo_required
    }
    pub fn anonymous_allowed(&self) -> bool {
        self.anonymous_allowed
    }
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }
    pub fn is_urgent(&self) -> bool {
        self.urgent
    }
    pub fn is_retired(&self) -> bool {
        self.retired
    }
    pub fn order(&self) -> u32 {
        self.order
    }

    /// What a report keeps of its category, so that renaming or moving the category later does
    /// not rewrite what was filed.
    pub fn snapshot(&self) -> CategorySnapshot {
        CategorySnapshot {
            id: self.id.clone(),
            name: self.name.clone(),
            department: self.department.clone(),
            urgent: self.urgent,
        }
    }

    /// 小浜市's categories, in the order citizens see them.
    pub fn defaults() -> Vec<Category> {
        let d = |order: u32,
                 id: &str,
                 name: &str,
                 department: &str,
                 description: &str,
                 photo_required: bool,
                 anonymous_allowed: bool,
                 urgent: bool| {
            Category::new(
                CategoryId::parse(id).expect("default ids are slugs"),
                CategorySettings {
                    name: name.into(),
                    department: department.into(),
                    description: description.into(),
                    photo_required,
                    anonymous_allowed,
                    questions: Vec::new(),
                    urgent,
                    order,
                },
            )
            .expect("default categories are valid")
        };
        vec![
            d(1, "road", "道路・公共物の損傷", "土木課",
              "道路の穴やひび割れ、ガードレール・カーブミラー・側溝などの壊れを知らせてください。",
              true, true, false),
            d(2, "park", "公園・遊具", "都市整備課",
              "公園の遊具・ベンチ・トイレなどの壊れや危ない所を知らせてください。",
              true, true, false),
            d(3, "streetlight", "街路灯", "土木課",
              "道路や公園の街路灯が消えている・点滅しているときに知らせてください。",
              false, true, false),
            d(4, "animal", "動物の死骸", "環境衛生課",
              "道路や公共の場所にある犬・猫・鳥などの死骸を知らせてください。",
              false, true, false),
            d(5, "dumping", "不法投棄・ごみ屋敷", "環境衛生課",
              "道路や空き地に捨てられたごみ、ごみがあふれている家を知らせてください。",
              false, false, false),
            d(6, "wildlife", "クマ・イノシシ・シカの出没", "農林水産課",
              "クマ・イノシシ・シカを見かけたときに知らせてください（危険なときはまず安全な場所へ）。",
              false, true, true),
            d(7, "snow", "除雪の要望", "土木課",
              "除雪が必要な道路や、除雪で困っている場所を知らせてください。",
              false, true, false),
        ]
    }
}

/// What a report keeps of its category when filed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategorySnapshot {
    pub id: CategoryId,
    pub name: String,
    pub department: String,
    pub urgent: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> CategorySettings {
        Category::defaults()[0].settings()
    }

    #[test]
    fn the_defaults_are_obamas_seven_categories_in_order() {
        let all = Category::defaults();
        let names: Vec<_> = all.iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "道路・公共物の損傷",
                "公園・遊具",
                "街路灯",
                "動物の死骸",
                "不法投棄・ごみ屋敷",
                "クマ・イノシシ・シカの出没",
                "除雪の要望"
            ]
        );
        let departments: Vec<_> = all.iter().map(|c| c.department()).collect();
        assert_eq!(
            departments,
            [
                "土木課",
                "都市整備課",
                "土木課",
                "環境衛生課",
                "環境衛生課",
                "農林水産課",
                "土木課"
            ]
        );
        let photo: Vec<_> = all
            .iter()
            .filter(|c| c.photo_required())
            .map(|c| c.name())
            .collect();
        assert_eq!(photo, ["道路・公共物の損傷", "公園・遊具"]);
        let named: Vec<_> = all
            .iter()
            .filter(|c| !c.anonymous_allowed())
            .map(|c| c.name())
            .collect();
        assert_eq!(named, ["不法投棄・ごみ屋敷"]);
        let urgent: Vec<_> = all
            .iter()
            .filter(|c| c.is_urgent())
            .map(|c| c.name())
            .collect();
        assert_eq!(urgent, ["クマ・イノシシ・シカの出没"]);
        assert!(all
            .iter()
            .all(|c| !c.description().is_empty() && !c.is_retired()));
        assert!(all.windows(2).all(|w| w[0].order() < w[1].order()));
    }

    #[test]
    fn settings_are_checked_and_a_refused_edit_changes_nothing() {
        let q = |label: &str| Question {
            label: label.into(),
            required: true,
        };
        let cases: Vec<(CategorySettings, Result<(), CategoryError>)> = vec![
            (settings(), Ok(())),
            (
                CategorySettings {
                    name: "  ".into(),
                    ..settings()
                },
                Err(CategoryError::NoName),
            ),
            (
                CategorySettings {
                    name: "あ".repeat(41),
                    ..settings()
                },
                Err(CategoryError::NameTooLong),
            ),
            (
                CategorySettings {
                    department: "".into(),
                    ..settings()
                },
                Err(CategoryError::NoDepartment),
            ),
            (
                CategorySettings {
                    department: "課".repeat(41),
                    ..settings()
                },
                Err(CategoryError::DepartmentTooLong),
            ),
            (
                CategorySettings {
                    description: "説".repeat(201),
                    ..settings()
                },
                Err(CategoryError::DescriptionTooLong),
            ),
            (
                CategorySettings {
                    questions: vec![q("a"), q("b"), q("c")],
                    ..settings()
                },
                Ok(()),
            ),
            (
                CategorySettings {
                    questions: vec![q("a"), q("b"), q("c"), q("d")],
                    ..settings()
                },
                Err(CategoryError::TooManyQuestions),
            ),
            (
                CategorySettings {
                    questions: vec![q("a"), q(" ")],
                    ..settings()
                },
                Err(CategoryError::EmptyQuestion(2)),
            ),
            (
                CategorySettings {
                    questions: vec![q(&"問".repeat(101))],
                    ..settings()
                },
                Err(CategoryError::QuestionTooLong(1)),
            ),
        ];
        for (s, expected) in cases {
            let mut c = Category::defaults().remove(0);
            c.retire();
            let before = c.clone();
            let result = c.edit(s.clone());
            assert_eq!(result, expected, "{s:?}");
            if result.is_err() {
                assert_eq!(c, before);
            } else {
                assert!(c.is_retired(), "editing keeps the retired flag");
            }
        }
    }

    #[test]
    fn ids_are_slugs() {
        assert!(CategoryId::parse("road").is_ok());
        assert!(CategoryId::parse("bear-2").is_ok());
        for bad in ["", "Road", "道路", "a b", &"x".repeat(33)] {
            assert_eq!(CategoryId::parse(bad), Err(CategoryError::BadId), "{bad:?}");
        }
    }

    #[test]
    fn a_stored_category_decodes() {
        let json = serde_json::json!({
            "id": "road", "name": "道路・公共物の損傷", "department": "土木課",
            "description": "道路の穴", "photo_required": true, "anonymous_allowed": true,
            "questions": [{"label": "どのくらいの大きさですか", "required": false}],
            "urgent": false, "retired": false, "order": 1
        });
        let c: Category = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(c.questions()[0].label, "どのくらいの大きさですか");
        assert_eq!(serde_json::to_value(&c).unwrap(), json);
        let bad = serde_json::json!({"id": "Road", "name": "x", "department": "y",
            "description": "", "photo_required": true, "anonymous_allowed": true,
            "urgent": false, "order": 1});
        assert!(serde_json::from_value::<Category>(bad).is_err());
    }
}
