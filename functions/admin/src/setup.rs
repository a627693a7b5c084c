//! Creating the first administrator: by the local binary's `create-admin` command, or in the
//! browser with the one-time setup token. There is never a default password.

use crate::auth::password;
use crate::AdminState;
use tayori_domain::staff::{
    check_password, DepartmentScope, LoginId, PermissionSet, StaffAccount, StaffProfile,
};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0}")]
    Invalid(String),
    #[error("an administrator already exists; add staff from the console")]
    AlreadySetUp,
    #[error(transparent)]
    Storage(#[from] tayori_records::RecordError),
}

pub async fn create_first_admin(
    state: &AdminState,
    login_id: &str,
    display_name: &str,
    password: &str,
) -> Result<StaffAccount, SetupError> {
    if state.staff.any().await? {
        return Err(SetupError::AlreadySetUp);
    }
    let login_id = LoginId::parse(login_id).map_err(|e| SetupError::Invalid(e.to_string()))?;
    if display_name.trim().is_empty() {
        return Err(SetupError::Invalid("氏名を入力してください。".into()));
    }
    check_password(password, login_id.as_str()).map_err(|p| SetupError::Invalid(p.to_string()))?;
    let account = StaffAccount::new(
        login_id,
        StaffProfile {
            display_name: display_name.trim().into(),
            department: "情報担当".into(),
            permissions: PermissionSet::all(),
            scope: DepartmentScope::All,
        },
        password::hash(password),
        state.platform.clock.now(),
    );
    if !state.staff.create(&account).await? {
        return Err(SetupError::AlreadySetUp);
    }
    Ok(account)
}
