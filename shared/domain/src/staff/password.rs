//! The password policy for staff accounts (仕様書 9.1). Length matters more than character
//! classes (NIST SP 800-63B), so the rule is a long password that is not trivially guessable.

pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_CHARS: usize = 128;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください。")]
    TooShort,
    #[error("パスワードは{MAX_PASSWORD_CHARS}文字以内にしてください。")]
    TooLong,
    #[error("パスワードにログインIDを含めないでください。")]
    ContainsLoginId,
    #[error("同じ文字や連続した文字だけのパスワードは使えません。")]
    Trivial,
    #[error("英字と数字（または記号）を組み合わせてください。")]
    SingleKind,
}

pub fn check_password(password: &str, login_id: &str) -> Result<(), PasswordProblem> {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars.len() > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    if !login_id.is_empty() && password.to_lowercase().contains(&login_id.to_lowercase()) {
        return Err(PasswordProblem::ContainsLoginId);
    }
    let same = chars.windows(2).all(|w| w[0] == w[1]);
    let sequence = chars
        .windows(2)
        .all(|w| (w[1] as u32).wrapping_sub(w[0] as u32) == 1);
    if same || sequence {
        return Err(PasswordProblem::Trivial);
    }
    let letters = chars.iter().any(|c| c.is_alphabetic());
    let others = chars.iter().any(|c| !c.is_alphabetic());
    if !(letters && others) {
        return Err(PasswordProblem::SingleKind);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_mixed_password_is_accepted() {
        assert_eq!(check_password("obama-kaigan-2026", "tanaka"), Ok(()));
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        assert_eq!(
            check_password("short1", "tanaka"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_password("tanaka-12345678", "Tanaka"),
            Err(PasswordProblem::ContainsLoginId)
        );
        assert_eq!(
            check_password("aaaaaaaaaaaaaa", "x"),
            Err(PasswordProblem::Trivial)
        );
        assert_eq!(
            check_password("abcdefghijklmn", "x"),
            Err(PasswordProblem::Trivial)
        );
        assert_eq!(
            check_password("123456789012345", "x"),
            Err(PasswordProblem::SingleKind)
        );
        assert_eq!(
            check_password("abcdefghijklmnz", "q"),
            Err(PasswordProblem::SingleKind)
        );
        assert_eq!(
            check_password(&"a1".repeat(65), "x"),
            Err(PasswordProblem::TooLong)
        );
    }
}
