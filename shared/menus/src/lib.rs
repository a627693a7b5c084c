//! Rich menus on LINE: publishing what staff made, and the switch between the 通常 and 緊急
//! (災害時) menus. Used by the console, and by the event bus (`menu.switch-requested`) so that a
//! disaster feed can switch without a clerk.

pub mod defaults;
mod publish;
mod switch;

pub use defaults::{install_defaults, DefaultsOutcome, DEFAULT_MENUS};
pub use publish::{delete, publish, unpublish, PublishError};
pub use switch::{
    designate, switch, SwitchHandler, SwitchOutcome, SwitchRequest, SWITCH_REQUESTED,
};

use tayori_line::LineError;

/// What a clerk reads when LINE refused something.
pub fn describe_line_error(e: &LineError) -> String {
    match e {
        LineError::Rejected {
            status, message, ..
        } => format!("LINEが受け付けませんでした（{status}：{message}）。"),
        LineError::GaveUp { .. } => {
            "LINEに接続できませんでした。時間をおいてもう一度お試しください。".into()
        }
        other => format!("LINEとの通信に失敗しました（{other}）。"),
    }
}
