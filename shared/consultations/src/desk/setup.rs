//! What staff with 相談対応 set: the reply templates (定型文) and the settings (office hours,
//! hours before a case is highlighted, how often the after-hours reply may repeat).

use super::{Clerk, ConsultationDesk, ConsultationDeskError};
use tayori_domain::consultation::ConsultationSettings;
use tayori_domain::report::ResponseTemplate;

const SETTINGS_TARGET: &str = "consultation-settings";

impl ConsultationDesk {
    pub async fn templates(
        &self,
        clerk: Clerk<'_>,
    ) -> Result<Vec<ResponseTemplate>, ConsultationDeskError> {
        Self::check_permission(clerk)?;
        Ok(self.records.templates().await?)
    }

    /// Adds a template, or replaces the one of `id`.
    pub async fn save_template(
        &self,
        clerk: Clerk<'_>,
        id: Option<&str>,
        name: &str,
        text: &str,
    ) -> Result<ResponseTemplate, ConsultationDeskError> {
        Self::check_permission(clerk)?;
        let id = id
            .map(String::from)
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let template = ResponseTemplate::new(id.clone(), name, text)?;
        self.records
            .update_templates::<ConsultationDeskError>(|items| {
                match items.iter_mut().find(|t| t.id() == id) {
                    Some(existing) => *existing = template.clone(),
                    None => items.push(template.clone()),
                }
                Ok(())
            })
            .await?;
        self.record(
            clerk,
            "相談の定型文を保存",
            SETTINGS_TARGET.into(),
            template.name().to_string(),
        )
        .await?;
        Ok(template)
    }

    pub async fn delete_template(
        &self,
        clerk: Clerk<'_>,
        id: &str,
    ) -> Result<(), ConsultationDeskError> {
        Self::check_permission(clerk)?;
        let mut name = String::new();
        if let Some(t) = self
            .records
            .templates()
            .await?
            .iter()
            .find(|t| t.id() == id)
        {
            name = t.name().to_string();
        }
        self.records
            .update_templates::<ConsultationDeskError>(|items| {
                let before = items.len();
                items.retain(|t| t.id() != id);
                if items.len() == before {
                    return Err(ConsultationDeskError::TemplateNotFound);
                }
                Ok(())
            })
            .await?;
        self.record(clerk, "相談の定型文を削除", SETTINGS_TARGET.into(), name)
            .await
    }

    /// The settings in force (the defaults until staff save their own). Read without a
    /// permission check: the webhook needs the office hours too.
    pub async fn settings(&self) -> Result<ConsultationSettings, ConsultationDeskError> {
        Ok(self.records.settings().await?)
    }

    pub async fn save_settings(
        &self,
        clerk: Clerk<'_>,
        settings: &ConsultationSettings,
    ) -> Result<(), ConsultationDeskError> {
        Self::check_permission(clerk)?;
        self.records.save_settings(settings).await?;
        self.record(
            clerk,
            "相談の受付時間・設定を変更",
            SETTINGS_TARGET.into(),
            format!(
                "返信待ちの強調: {}時間、時間外の自動応答: {}分ごと",
                settings.reply_wait_hours(),
                settings.auto_reply_every_minutes()
            ),
        )
        .await
    }
}
