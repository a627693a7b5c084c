//! 国土地理院データの取込 and 施設の種類.

pub const PATH: &str = "/admin/shelters/import";
