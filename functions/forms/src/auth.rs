//! Who is calling a LIFF API: the LINE user LINE vouches for, from the bearer ID token
//! (`tayori_web::liff`, shared with the reports function's form).

use crate::{ApiError, FormsState};
use tayori_line::LineClient;
use tayori_web::{LiffLogin, LoginRefused};

/// The verified LINE user id of the caller.
pub use tayori_web::LiffCitizen as Citizen;

impl LiffLogin for FormsState {
    type Rejection = ApiError;

    fn line(&self) -> &LineClient {
        &self.line
    }

    fn login_channel_id(&self) -> &str {
        &self.config.login_channel_id
    }
}

impl From<LoginRefused> for ApiError {
    fn from(refused: LoginRefused) -> Self {
        match refused {
            LoginRefused::NoToken => ApiError::NoToken,
            LoginRefused::InvalidToken => ApiError::InvalidToken,
            LoginRefused::Unavailable(e) => e.into(),
        }
    }
}
