//! A staff account (職員アカウント) and the rules that protect it: login ids, lockout after
//! repeated failures, and session lifetimes. Password hashing and TOTP codes are computed by
//! the console (they need a crypto library); the account only holds their results.

use super::permission::{DepartmentScope, Permission, PermissionSet};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Failed sign-ins in a row that lock the account.
pub const LOCKOUT_AFTER: u32 = 5;
/// How long a locked account stays locked (an administrator can unlock it sooner).
pub const LOCKOUT_FOR: Duration = Duration::minutes(15);

/// A login id: 3–32 of `a-z 0-9 . _ -`, lower-cased, so that ids are easy to read aloud over the
/// phone and never confused by case.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LoginId(String);

impl LoginId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let id = raw.trim().to_ascii_lowercase();
        let ok = (3..=32).contains(&id.len())
            && id.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            });
        if ok {
            Ok(Self(id))
        } else {
            Err("ログインIDは半角英小文字・数字・「.」「_」「-」で3〜32文字にしてください。".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LoginId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<LoginId> for String {
    fn from(id: LoginId) -> Self {
        id.0
    }
}

impl std::fmt::Display for LoginId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an administrator edits about a colleague.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffProfile {
    /// 氏名 as shown in logs and lists.
    pub display_name: String,
    /// 所属課.
    pub department: String,
    pub permissions: PermissionSet,
    pub scope: DepartmentScope,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccount {
    pub login_id: LoginId,
    pub profile: StaffProfile,
    /// PHC string (argon2id).
    pub password_hash: String,
    /// Base32 TOTP secret when the second factor is on.
    pub totp_secret: Option<String>,
    /// The last TOTP time step accepted, so that a code cannot be replayed.
    pub totp_last_step: Option<u64>,
    pub failed_attempts: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
    pub last_sign_in: Option<DateTime<Utc>>,
    /// The password was set by an administrator (a new account or a reset): the holder must
    /// replace it before using anything else, so that only they know it.
    #[serde(default)]
    pub must_change_password: bool,
}

impl StaffAccount {
    pub fn new(
        login_id: LoginId,
        profile: StaffProfile,
        password_hash: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            login_id,
            profile,
            password_hash,
            totp_secret: None,
            totp_last_step: None,
            failed_attempts: 0,
            locked_until: None,
            disabled: false,
            created_at: now,
            password_changed_at: now,
            last_sign_in: None,
            must_change_password: false,
        }
    }

    pub fn may(&self, permission: Permission) -> bool {
        !self.disabled && self.profile.permissions.contains(permission)
    }

    /// Whether the account may act on a form or report of `department`.
    pub fn may_in(&self, permission: Permission, department: &str) -> bool {
        self.may(permission)
            && (!permission.is_department_scoped() || self.profile.scope.covers(department))
    }

    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// A wrong password or code. The count restarts once a lock has run out.
    pub fn record_failure(&mut self, now: DateTime<Utc>) {
        if self.locked_until.is_some_and(|until| until <= now) {
            self.failed_attempts = 0;
            self.locked_until = None;
        }
        self.failed_attempts += 1;
        if self.failed_attempts >= LOCKOUT_AFTER {
            self.locked_until = Some(now + LOCKOUT_FOR);
        }
    }

    pub fn record_success(&mut self, now: DateTime<Utc>) {
        self.failed_attempts = 0;
        self.locked_until = None;
        self.last_sign_in = Some(now);
    }

    pub fn unlock(&mut self) {
        self.failed_attempts = 0;
        self.locked_until = None;
    }
}

/// How long a console session lives: it ends after `idle` without a request, and after
/// `absolute` whatever happens (a shared VDI desktop left signed in must not stay so all week).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(30),
            absolute: Duration::hours(9),
        }
    }
}

impl SessionPolicy {
    pub fn is_alive(
        &self,
        started: DateTime<Utc>,
        last_seen: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        now < last_seen + self.idle && now < started + self.absolute
    }

    /// When the session ends if nothing more happens; its record's TTL.
    pub fn expires_at(&self, started: DateTime<Utc>, last_seen: DateTime<Utc>) -> DateTime<Utc> {
        (last_seen + self.idle).min(started + self.absolute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> StaffAccount {
        let now = Utc::now();
        StaffAccount::new(
            LoginId::parse("tanaka").unwrap(),
            StaffProfile {
                display_name: "田中".into(),
                department: "環境衛生課".into(),
                permissions: [Permission::ReportsHandle].into_iter().collect(),
                scope: DepartmentScope::Only(["環境衛生課".to_string()].into_iter().collect()),
            },
            "hash".into(),
            now,
        )
    }

    #[test]
    fn login_ids_are_lower_cased_and_limited_to_safe_characters() {
        assert_eq!(LoginId::parse(" Tanaka.K ").unwrap().as_str(), "tanaka.k");
        for bad in ["ab", "田中", "a b", "a/b", &"x".repeat(33)] {
            assert!(LoginId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn five_failures_in_a_row_lock_the_account_for_fifteen_minutes() {
        let mut a = account();
        let now = Utc::now();
        for _ in 0..LOCKOUT_AFTER - 1 {
            a.record_failure(now);
        }
        assert!(!a.is_locked(now));
        a.record_failure(now);
        assert!(a.is_locked(now));
        assert!(a.is_locked(now + Duration::minutes(14)));
        assert!(!a.is_locked(now + Duration::minutes(15)));
        // After the lock runs out one more failure does not lock again at once.
        a.record_failure(now + Duration::minutes(16));
        assert!(!a.is_locked(now + Duration::minutes(16)));
        assert_eq!(a.failed_attempts, 1);
    }

    #[test]
    fn a_success_clears_the_failure_count() {
        let mut a = account();
        let now = Utc::now();
        a.record_failure(now);
        a.record_failure(now);
        a.record_success(now);
        assert_eq!(a.failed_attempts, 0);
        assert_eq!(a.last_sign_in, Some(now));
    }

    #[test]
    fn department_scoped_permissions_stop_at_other_departments() {
        let a = account();
        assert!(a.may_in(Permission::ReportsHandle, "環境衛生課"));
        assert!(!a.may_in(Permission::ReportsHandle, "土木課"));
        assert!(!a.may(Permission::StaffManagement));
        let mut disabled = a.clone();
        disabled.disabled = true;
        assert!(!disabled.may(Permission::ReportsHandle));
    }

    #[test]
    fn sessions_end_when_idle_or_too_old() {
        let p = SessionPolicy::default();
        let start = Utc::now();
        assert!(p.is_alive(start, start, start + Duration::minutes(29)));
        assert!(!p.is_alive(start, start, start + Duration::minutes(30)));
        let last = start + Duration::hours(8) + Duration::minutes(50);
        assert!(p.is_alive(start, last, last + Duration::minutes(9)));
        assert!(!p.is_alive(start, last, start + Duration::hours(9)));
        assert_eq!(p.expires_at(start, last), start + Duration::hours(9));
    }
}
