//! Staff (職員) of the city who use the console: their accounts, what each may do, and the
//! rules that keep accounts safe (password policy, lockout, session lifetimes).

mod account;
mod password;
mod permission;
mod role;

pub use account::{
    BadLoginId, HeldSecret, Locked, LoginId, SessionPolicy, StaffAccount, StaffProfile,
    LOCKOUT_AFTER, LOCKOUT_FOR,
};
pub use password::{check_password, PasswordProblem, MIN_PASSWORD_CHARS};
pub use permission::{DepartmentScope, Permission, PermissionSet};
pub use role::RolePreset;
