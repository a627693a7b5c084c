//! What a poster says (案内の中身): the city, the link its QR opens, the basic ID, what the
//! account offers and whom to ask.

use thiserror::Error;

use crate::BasicId;

/// The QR of a longer link needs so many modules that a flyer's code stops scanning reliably
/// from a phone held at arm's length; a per-channel landing URL is far shorter than this.
const MAX_LINK_LENGTH: usize = 300;

/// The section a citizen calls with questions (担当課) and its phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    department: String,
    phone: String,
}

impl Contact {
    /// e.g. `Contact::new("企画部 総合政策課", "0770-53-1111")`.
    pub fn new(department: impl AsRef<str>, phone: impl AsRef<str>) -> Self {
        Self {
            department: one_line(department.as_ref()),
            phone: one_line(phone.as_ref()),
        }
    }

    pub fn department(&self) -> &str {
        &self.department
    }

    pub fn phone(&self) -> &str {
        &self.phone
    }
}

/// Everything one poster or flyer says. Built with [`Invitation::new`]; the QR opens the
/// add-friend link unless [`Invitation::with_link`] gives a landing URL (one per channel, so
/// the city can tell which paper brought a friend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    city: String,
    link: String,
    basic_id: BasicId,
    offers: Vec<String>,
    contact: Contact,
}

/// Why an invitation cannot be printed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InvitationError {
    #[error("市町村名を入れてください。")]
    NoCity,
    #[error("QRコードのリンクは https:// で始まるURLにしてください: {link}")]
    LinkNotHttps { link: String },
    #[error(
        "QRコードのリンクが長すぎます（{length}文字。{MAX_LINK_LENGTH}文字までにしてください）。"
    )]
    LinkTooLong { length: usize },
}

impl Invitation {
    /// `offers` are short lines (「ごみの収集日をお知らせ」) for the capabilities that are turned
    /// on; blank ones are left out, the order is kept.
    pub fn new(
        city: impl AsRef<str>,
        basic_id: BasicId,
        offers: impl IntoIterator<Item = impl AsRef<str>>,
        contact: Contact,
    ) -> Result<Self, InvitationError> {
        let city = one_line(city.as_ref());
        if city.is_empty() {
            return Err(InvitationError::NoCity);
        }
        Ok(Self {
            city,
            link: basic_id.add_friend_url(),
            basic_id,
            offers: offers
                .into_iter()
                .map(|offer| one_line(offer.as_ref()))
                .filter(|offer| !offer.is_empty())
                .collect(),
            contact,
        })
    }

    /// The QR opens `link` instead of the add-friend link.
    pub fn with_link(mut self, link: &str) -> Result<Self, InvitationError> {
        let link = link.trim();
        // Plain HTTP only to this machine: the local run's landing page.
        let host = link
            .strip_prefix("https://")
            .or_else(|| {
                link.strip_prefix("http://")
                    .filter(|rest| rest.starts_with("127.0.0.1:") || rest.starts_with("localhost:"))
            })
            .unwrap_or_default();
        let host = host.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || link.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvitationError::LinkNotHttps {
                link: link.to_owned(),
            });
        }
        if link.len() > MAX_LINK_LENGTH {
            return Err(InvitationError::LinkTooLong { length: link.len() });
        }
        self.link = link.to_owned();
        Ok(self)
    }

    pub fn city(&self) -> &str {
        &self.city
    }

    pub fn link(&self) -> &str {
        &self.link
    }

    pub fn basic_id(&self) -> &BasicId {
        &self.basic_id
    }

    pub fn offers(&self) -> &[String] {
        &self.offers
    }

    pub fn contact(&self) -> &Contact {
        &self.contact
    }
}

/// A pasted line may carry newlines or tabs; on paper every field is one run of text.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
