//! The two deliveries the harness sends: to every friend, and to a segment.

use super::store::{Population, SeededFriend};
use std::collections::BTreeSet;
use tayori_domain::segment::{Match, SegmentCondition, Target};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    AllFriends,
    /// 30代 or 40代, living in 雲浜 or 西津: friends who registered, minus 今富 and 20代.
    Segment,
}

impl Scenario {
    pub fn target(self) -> Target {
        match self {
            Scenario::AllFriends => Target::All,
            Scenario::Segment => {
                let condition = |item: &str, values: [&str; 2]| SegmentCondition {
                    item: item.into(),
                    matching: Match::AnyOf,
                    values: values.iter().map(|v| v.to_string()).collect(),
                };
                Target::Segment {
                    conditions: vec![
                        condition("age_group", ["30代", "40代"]),
                        condition("district", ["雲浜", "西津"]),
                    ],
                }
            }
        }
    }

    /// Whether the delivery is meant for `friend`, decided from what was seeded.
    fn wants(self, friend: &SeededFriend) -> bool {
        let has = |item: &str, values: &[&str]| {
            friend
                .attributes
                .get(item)
                .is_some_and(|v| v.iter().any(|x| values.contains(&x.as_str())))
        };
        friend.following
            && match self {
                Scenario::AllFriends => true,
                Scenario::Segment => {
                    has("age_group", &["30代", "40代"]) && has("district", &["雲浜", "西津"])
                }
            }
    }

    pub fn intended(self, population: &Population) -> BTreeSet<String> {
        population
            .friends
            .iter()
            .filter(|f| self.wants(f))
            .map(|f| f.user_id.clone())
            .collect()
    }
}
