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

/// A login id outside the rules; renders as the sentence the form shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("ログインIDは半角英小文字・数字・「.」「_」「-」で3〜32文字にしてください。")]
pub struct BadLoginId;

impl LoginId {
    pub fn parse(raw: &str) -> Result<Self, BadLoginId> {
        let id = raw.trim().to_ascii_lowercase();
        let ok = (3..=32).contains(&id.len())
            && id.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            });
        if ok {
            Ok(Self(id))
        } else {
            Err(BadLoginId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LoginId {
    type Error = BadLoginId;
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

impl StaffProfile {
    /// Whether `next` takes away something this profile allows: a permission, or a department
    /// of the scope.
    fn loses_rights_in(&self, next: &StaffProfile) -> bool {
        let permission_removed = self
            .permissions
            .iter()
            .any(|p| !next.permissions.contains(p));
        let scope_narrowed = match (&self.scope, &next.scope) {
            (_, DepartmentScope::All) => false,
            (DepartmentScope::All, DepartmentScope::Only(_)) => true,
            (DepartmentScope::Only(was), DepartmentScope::Only(now)) => !was.is_subset(now),
        };
        permission_removed || scope_narrowed
    }
}

/// A second-factor secret as an account holds it: the base32 secret right after enrolment, and
/// the sealed form (`enc:v1:…`) once the repository has stored it — the repository seals it on
/// every write and opens it only to check a code. Never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HeldSecret(String);

impl HeldSecret {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for HeldSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeldSecret(…)")
    }
}

/// The account is locked: no attempt may be checked until the lock runs out or an
/// administrator lifts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("続けて間違えたため、このアカウントは一時的にロックされています。")]
pub struct Locked;

/// The fields that own a state change (password, second factor, lockout, sessions) are private:
/// they change only through the methods below, which keep the rules together — above all, that
/// every change which must end the account's sessions moves its session generation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccount {
    pub login_id: LoginId,
    profile: StaffProfile,
    /// PHC string (argon2id).
    password_hash: String,
    /// The TOTP secret when the second factor is on.
    totp_secret: Option<HeldSecret>,
    /// A secret being enrolled (shown as a QR code, not yet confirmed with a code).
    #[serde(default)]
    pending_totp_secret: Option<HeldSecret>,
    /// The last TOTP time step accepted, so that a code cannot be replayed.
    totp_last_step: Option<u64>,
    /// Attempts counted as failed (each is counted before it is checked; see `reserve_attempt`).
    failed_attempts: u32,
    locked_until: Option<DateTime<Utc>>,
    disabled: bool,
    pub created_at: DateTime<Utc>,
    password_changed_at: DateTime<Utc>,
    last_sign_in: Option<DateTime<Utc>>,
    /// The password was set by an administrator (a new account or a reset): the holder must
    /// replace it before using anything else, so that only they know it.
    #[serde(default)]
    must_change_password: bool,
    /// Which sessions are still good: each session copies this number at sign-in, and a
    /// session holding another number is over. A password change or reset, disabling the
    /// account, or taking away a permission moves it on, which ends every session of the
    /// account in the same write that makes the change.
    ///
    /// A generation rather than an index of the account's sessions: the index would be a
    /// second record to keep in step with the sessions (written at each sign-in, pruned as
    /// sessions expire by TTL, read and deleted item by item at each change), and a crash
    /// between the account's write and the sessions' deletion would leave old sessions alive.
    /// The generation costs nothing at sign-in and is checked where the account is read anyway
    /// (every console request reads it to know the permissions).
    #[serde(default)]
    session_generation: u64,
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
            pending_totp_secret: None,
            totp_last_step: None,
            failed_attempts: 0,
            locked_until: None,
            disabled: false,
            created_at: now,
            password_changed_at: now,
            last_sign_in: None,
            must_change_password: false,
            session_generation: 0,
        }
    }

    /// The password was set by an administrator, who therefore knows it.
    pub fn with_temporary_password(mut self) -> Self {
        self.must_change_password = true;
        self
    }

    pub fn profile(&self) -> &StaffProfile {
        &self.profile
    }

    pub fn password_hash(&self) -> &str {
        &self.password_hash
    }

    pub fn must_change_password(&self) -> bool {
        self.must_change_password
    }

    pub fn is_disabled(&self) -> bool {
        self.disabled
    }

    pub fn last_sign_in(&self) -> Option<DateTime<Utc>> {
        self.last_sign_in
    }

    pub fn password_changed_at(&self) -> DateTime<Utc> {
        self.password_changed_at
    }

    pub fn failed_attempts(&self) -> u32 {
        self.failed_attempts
    }

    pub fn session_generation(&self) -> u64 {
        self.session_generation
    }

    pub fn has_second_factor(&self) -> bool {
        self.totp_secret.is_some()
    }

    pub fn second_factor_secret(&self) -> Option<&HeldSecret> {
        self.totp_secret.as_ref()
    }

    pub fn pending_second_factor_secret(&self) -> Option<&HeldSecret> {
        self.pending_totp_secret.as_ref()
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

    /// Counts an attempt (a password or code about to be checked) as failed before it is
    /// checked, so that guesses sent in parallel cannot all be checked before any is counted:
    /// saved with a conditional write, this grants at most `LOCKOUT_AFTER` checks per lock
    /// window. A right answer then gives the attempt back (`release_attempt`) or clears the
    /// count (`record_success`, `confirm_password`).
    pub fn reserve_attempt(&mut self, now: DateTime<Utc>) -> Result<(), Locked> {
        if self.is_locked(now) {
            return Err(Locked);
        }
        self.record_failure(now);
        Ok(())
    }

    /// Gives back an attempt whose password was right while the second factor is still to
    /// come: the count stands as it was, so that a known password does not wipe out the wrong
    /// codes guessed after it.
    pub fn release_attempt(&mut self) {
        self.failed_attempts = self.failed_attempts.saturating_sub(1);
        if self.failed_attempts < LOCKOUT_AFTER {
            self.locked_until = None;
        }
    }

    /// The current password was confirmed (自分の設定): the failures before it are forgiven.
    pub fn confirm_password(&mut self) {
        self.unlock();
    }

    /// A wrong password or code. The count restarts once a lock has run out.
    fn record_failure(&mut self, now: DateTime<Utc>) {
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

    /// Accepts a code of `step` if it is later than the last one accepted (a code is good
    /// once, even when two sign-ins send it at the same moment).
    pub fn accept_code_step(&mut self, step: u64) -> bool {
        if self.totp_last_step.is_some_and(|last| step <= last) {
            return false;
        }
        self.totp_last_step = Some(step);
        true
    }

    pub fn last_code_step(&self) -> Option<u64> {
        self.totp_last_step
    }

    pub fn unlock(&mut self) {
        self.failed_attempts = 0;
        self.locked_until = None;
    }

    /// The holder chose a new password: it is theirs alone, and every other session ends
    /// (the one they changed it from is carried over to the new generation by the console).
    pub fn change_password(&mut self, password_hash: String, now: DateTime<Utc>) {
        self.password_hash = password_hash;
        self.password_changed_at = now;
        self.must_change_password = false;
        self.end_sessions();
    }

    /// An administrator set a new temporary password (the holder forgot theirs, or it may be
    /// known to someone else): the lock is lifted and every session of the account ends.
    pub fn reset_password(&mut self, password_hash: String, now: DateTime<Utc>) {
        self.password_hash = password_hash;
        self.password_changed_at = now;
        self.must_change_password = true;
        self.unlock();
        self.end_sessions();
    }

    /// Stops the account (異動・退職) and ends its sessions for good: enabling it again later
    /// does not bring them back.
    pub fn disable(&mut self) {
        self.disabled = true;
        self.end_sessions();
    }

    pub fn enable(&mut self) {
        self.disabled = false;
    }

    /// Replaces what an administrator edits; taking a permission or a department away ends the
    /// account's sessions, so that the change is not left to each page's own check.
    pub fn set_profile(&mut self, profile: StaffProfile) {
        if self.profile.loses_rights_in(&profile) {
            self.end_sessions();
        }
        self.profile = profile;
    }

    /// Starts enrolling a second factor with a fresh base32 secret (shown as a QR code); the
    /// one in use, if any, stays until the new one is confirmed.
    pub fn begin_second_factor(&mut self, secret: String) {
        self.pending_totp_secret = Some(HeldSecret(secret));
    }

    /// Puts `secret` (base32) in use, confirmed by a code of `step`.
    pub fn turn_on_second_factor(&mut self, secret: String, step: u64) {
        self.totp_secret = Some(HeldSecret(secret));
        self.pending_totp_secret = None;
        self.totp_last_step = Some(step);
    }

    pub fn turn_off_second_factor(&mut self) {
        self.totp_secret = None;
        self.pending_totp_secret = None;
        self.totp_last_step = None;
    }

    fn end_sessions(&mut self) {
        self.session_generation += 1;
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
            assert_eq!(LoginId::parse(bad), Err(BadLoginId), "{bad:?} accepted");
        }
        assert_eq!(
            BadLoginId.to_string(),
            "ログインIDは半角英小文字・数字・「.」「_」「-」で3〜32文字にしてください。"
        );
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
        disabled.disable();
        assert!(!disabled.may(Permission::ReportsHandle));
    }

    #[test]
    fn a_locked_account_grants_no_attempt_until_the_lock_runs_out() {
        let mut a = account();
        let now = Utc::now();
        for _ in 0..LOCKOUT_AFTER {
            assert_eq!(a.reserve_attempt(now), Ok(()));
        }
        assert!(a.is_locked(now));
        assert_eq!(a.reserve_attempt(now), Err(Locked));
        assert_eq!(
            a.failed_attempts(),
            LOCKOUT_AFTER,
            "a refusal is not counted"
        );
        assert_eq!(a.reserve_attempt(now + LOCKOUT_FOR), Ok(()));
        assert_eq!(a.failed_attempts(), 1);
    }

    #[test]
    fn a_right_password_gives_its_attempt_back_without_forgiving_earlier_failures() {
        let mut a = account();
        let now = Utc::now();
        for _ in 0..LOCKOUT_AFTER - 1 {
            a.reserve_attempt(now).unwrap();
        }
        a.reserve_attempt(now).unwrap();
        assert!(a.is_locked(now), "the fifth attempt reserved locks at once");
        a.release_attempt();
        assert!(!a.is_locked(now));
        assert_eq!(a.failed_attempts(), LOCKOUT_AFTER - 1);
        a.confirm_password();
        assert_eq!(a.failed_attempts(), 0);
    }

    #[test]
    fn password_changes_and_disabling_end_the_sessions_and_enabling_does_not_revive_them() {
        let mut a = account();
        let now = Utc::now();
        let mut seen = vec![a.session_generation()];
        a.change_password("hash2".into(), now);
        assert!(!a.must_change_password());
        seen.push(a.session_generation());
        a.reset_password("hash3".into(), now);
        assert!(a.must_change_password());
        assert_eq!(a.password_hash(), "hash3");
        seen.push(a.session_generation());
        a.disable();
        seen.push(a.session_generation());
        a.enable();
        assert_eq!(a.session_generation(), *seen.last().unwrap());
        seen.dedup();
        assert_eq!(seen.len(), 4, "each change moves the generation: {seen:?}");
    }

    #[test]
    fn taking_away_a_permission_or_a_department_ends_the_sessions_and_adding_does_not() {
        let mut a = account();
        let before = a.session_generation();
        let mut wider = a.profile().clone();
        wider.permissions.insert(Permission::UsageReports);
        wider.scope = DepartmentScope::All;
        a.set_profile(wider.clone());
        assert_eq!(a.session_generation(), before, "only added rights");
        let mut renamed = wider.clone();
        renamed.display_name = "田中 一郎".into();
        a.set_profile(renamed);
        assert_eq!(a.session_generation(), before, "only renamed");

        let mut fewer = wider.clone();
        fewer.permissions = [Permission::ReportsHandle].into_iter().collect();
        a.set_profile(fewer.clone());
        assert_eq!(a.session_generation(), before + 1);
        let mut narrower = fewer;
        narrower.scope = DepartmentScope::Only(["土木課".to_string()].into_iter().collect());
        a.set_profile(narrower);
        assert_eq!(a.session_generation(), before + 2);
    }

    #[test]
    fn a_code_step_is_accepted_once_and_never_an_earlier_one() {
        let mut a = account();
        a.turn_on_second_factor("SECRET".into(), 100);
        assert!(!a.accept_code_step(100));
        assert!(!a.accept_code_step(99));
        assert!(a.accept_code_step(101));
        assert_eq!(a.last_code_step(), Some(101));
    }

    #[test]
    fn a_new_second_factor_waits_for_its_code_and_a_secret_is_never_printed() {
        let mut a = account();
        a.turn_on_second_factor("OLDSECRET".into(), 1);
        a.begin_second_factor("NEWSECRET".into());
        assert_eq!(a.second_factor_secret().unwrap().as_str(), "OLDSECRET");
        assert_eq!(
            a.pending_second_factor_secret().unwrap().as_str(),
            "NEWSECRET"
        );
        let printed = format!("{a:?}");
        assert!(!printed.contains("SECRET"), "{printed}");
        a.turn_on_second_factor("NEWSECRET".into(), 2);
        assert_eq!(a.pending_second_factor_secret(), None);
        a.turn_off_second_factor();
        assert!(!a.has_second_factor());
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
