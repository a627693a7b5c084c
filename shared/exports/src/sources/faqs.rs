//! FAQ: every FAQ, one a row, in the columns the FAQ import reads, so a file exported, edited in
//! Excel and imported again changes exactly what was edited. A city's FAQ is a few thousand
//! rows at most: read at once, written as one page.

use crate::csv::{RowSource, SourceError};
use async_trait::async_trait;
use tayori_faq::desk::{FaqDesk, COLUMNS};
use tayori_ports::Platform;

pub struct FaqRows {
    rows: Option<Vec<Vec<String>>>,
}

impl FaqRows {
    pub async fn read(platform: &Platform) -> Result<Self, SourceError> {
        let rows = FaqDesk::new(platform)
            .rows()
            .await
            .map_err(|e| SourceError::Read(e.to_string()))?;
        Ok(Self { rows: Some(rows) })
    }
}

#[async_trait]
impl RowSource for FaqRows {
    fn header(&self) -> Vec<String> {
        COLUMNS.map(String::from).to_vec()
    }

    async fn next_page(&mut self) -> Result<Option<Vec<Vec<String>>>, SourceError> {
        Ok(self.rows.take())
    }
}
