//! 事業: the city's programmes, each a group of the report's services (仕様書 6.3.5 asks for
//! counts 各事業別). Staff name a programme (「防災事業」) and choose its services (避難所検索,
//! 配信 …); the report adds their counts up. A service may belong to more than one programme.

use super::{UsageKind, UsageReport};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const MAX_PROGRAMMES: usize = 20;
const MAX_NAME_CHARS: usize = 30;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    name: String,
    services: Vec<UsageKind>,
}

impl Programme {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn services(&self) -> &[UsageKind] {
        &self.services
    }

    /// The programme's count in `report`: its services' totals added up.
    pub fn total(&self, report: &UsageReport) -> u64 {
        self.services.iter().map(|k| report.total(*k)).sum()
    }

    /// Its count under one value of the report's breakdown; `None` when one of its services is
    /// not counted by that breakdown (a delivery by 性別), as a partial sum would mislead.
    pub fn cell(&self, report: &UsageReport, column: &str) -> Option<u64> {
        self.services
            .iter()
            .map(|k| report.cell(*k, column))
            .sum::<Option<u64>>()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ProgrammeError {
    #[error("事業名を入れてください（{MAX_NAME_CHARS}文字まで）。")]
    Name,
    #[error("「{0}」はもう登録されています。")]
    Taken(String),
    #[error("事業に含めるサービスを1つ以上選んでください。")]
    NoService,
    #[error("事業は{MAX_PROGRAMMES}件までです。使わなくなった事業を削除してください。")]
    TooMany,
}

impl ProgrammeError {
    /// The form field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::NoService => "services",
            _ => "name",
        }
    }
}

/// The programmes staff set, in the order they added them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programmes {
    list: Vec<Programme>,
}

impl Programmes {
    pub fn list(&self) -> &[Programme] {
        &self.list
    }

    /// Adds a programme of `services` (in the report's order, each once); only services the
    /// report shows can be chosen.
    pub fn add(
        &mut self,
        name: &str,
        services: &[UsageKind],
    ) -> Result<&Programme, ProgrammeError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(ProgrammeError::Name);
        }
        if self.list.iter().any(|p| p.name == name) {
            return Err(ProgrammeError::Taken(name.to_owned()));
        }
        let services: Vec<UsageKind> = UsageKind::recorded()
            .filter(|k| services.contains(k))
            .collect();
        if services.is_empty() {
            return Err(ProgrammeError::NoService);
        }
        if self.list.len() >= MAX_PROGRAMMES {
            return Err(ProgrammeError::TooMany);
        }
        self.list.push(Programme {
            name: name.to_owned(),
            services,
        });
        Ok(self.list.last().expect("just pushed"))
    }

    pub fn remove(&mut self, name: &str) -> Option<Programme> {
        let at = self.list.iter().position(|p| p.name == name)?;
        Some(self.list.remove(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::UsageEvent;
    use chrono::Utc;
    use std::collections::BTreeMap;

    fn event(kind: UsageKind, district: &str, count: u64) -> UsageEvent {
        let attributes: BTreeMap<String, Vec<String>> =
            [("district".to_string(), vec![district.to_string()])].into();
        UsageEvent {
            count,
            ..UsageEvent::one(kind, Utc::now()).with_attributes(attributes)
        }
    }

    #[test]
    fn a_programme_adds_up_its_services_and_refuses_what_it_cannot() {
        let mut programmes = Programmes::default();
        assert_eq!(
            programmes.add(" ", &[UsageKind::Report]),
            Err(ProgrammeError::Name)
        );
        assert_eq!(
            programmes.add("防災事業", &[]),
            Err(ProgrammeError::NoService)
        );
        programmes
            .add(
                "防災事業",
                &[
                    UsageKind::ShelterLookup,
                    UsageKind::Report,
                    UsageKind::ShelterLookup,
                ],
            )
            .unwrap();
        assert_eq!(
            programmes.add("防災事業", &[UsageKind::Report]),
            Err(ProgrammeError::Taken("防災事業".into()))
        );
        let bousai = &programmes.list()[0];
        assert_eq!(
            bousai.services(),
            [UsageKind::Report, UsageKind::ShelterLookup]
        );

        let events = [
            event(UsageKind::ShelterLookup, "雲浜", 3),
            event(UsageKind::Report, "雲浜", 1),
            event(UsageKind::Report, "西津", 2),
            event(UsageKind::FaqAnswer, "雲浜", 9),
        ];
        let report = UsageReport::build(&events, Some("district"));
        assert_eq!(bousai.total(&report), 6);
        assert_eq!(bousai.cell(&report, "雲浜"), Some(4));
        assert_eq!(bousai.cell(&report, "西津"), Some(2));
        let by_gender = UsageReport::build(&events, Some("gender"));
        programmes
            .add("広報事業", &[UsageKind::Delivery, UsageKind::FaqAnswer])
            .unwrap();
        assert_eq!(
            programmes.list()[1].cell(&by_gender, "未登録"),
            None,
            "deliveries are not counted by 性別, so neither is the programme"
        );
        assert_eq!(programmes.remove("防災事業").unwrap().name(), "防災事業");
        assert_eq!(programmes.list().len(), 1);
    }
}
