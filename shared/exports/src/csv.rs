//! Writing one export: rows from a [`RowSource`], a page at a time, through the shared CSV
//! writer (`tayori_csv`: BOM or CP932, formula-safe cells, RFC 4180 quoting) into an
//! [`ObjectUpload`]. Only one page of rows and one chunk of bytes are held at any time, so a
//! million-row file costs what a thousand-row one does.

use async_trait::async_trait;
use tayori_csv::CsvWriter;
use tayori_domain::export::{CsvEncoding, Written};
use tayori_ports::{ObjectError, ObjectUpload};

/// Bytes gathered before they are handed to the upload: few enough calls for the embedded
/// store's blocking writes, small beside S3's 5 MiB parts.
const CHUNK_BYTES: usize = 256 * 1024;

/// Where an export's rows come from: its header, then its rows a page at a time.
#[async_trait]
pub trait RowSource: Send {
    fn header(&self) -> Vec<String>;
    /// The next page of rows, or `None` after the last.
    async fn next_page(&mut self) -> Result<Option<Vec<Vec<String>>>, SourceError>;
}

/// A source that could not read its rows.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The export's conditions no longer make sense (a period the page would refuse).
    #[error("{0}")]
    Conditions(String),
    #[error("データを読み出せませんでした: {0}")]
    Read(String),
}

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("ファイルを保存できませんでした: {0}")]
    Objects(#[from] ObjectError),
}

fn writer(encoding: CsvEncoding) -> CsvWriter {
    CsvWriter::new(match encoding {
        CsvEncoding::Utf8Bom => tayori_csv::CsvEncoding::Utf8Bom,
        CsvEncoding::Cp932 => tayori_csv::CsvEncoding::Cp932,
    })
}

/// The `Content-Type` of a file in `encoding`.
pub fn content_type(encoding: CsvEncoding) -> &'static str {
    writer(encoding).encoding().content_type()
}

/// Writes the source's header and rows to `upload` and answers what the file holds. The
/// upload is neither finished nor aborted here: the caller decides by the answer.
pub async fn write_csv(
    source: &mut dyn RowSource,
    encoding: CsvEncoding,
    upload: &mut dyn ObjectUpload,
) -> Result<Written, WriteError> {
    let csv = writer(encoding);
    let mut scratch = String::new();
    let mut chunk = csv.start();
    let mut written = Written::default();
    written.replaced += csv.write_row(&source.header(), &mut scratch, &mut chunk);
    while let Some(rows) = source.next_page().await? {
        for row in &rows {
            written.replaced += csv.write_row(row, &mut scratch, &mut chunk);
            written.rows += 1;
            if chunk.len() >= CHUNK_BYTES {
                written.bytes += chunk.len() as u64;
                upload.write(&chunk).await?;
                chunk.clear();
            }
        }
    }
    written.bytes += chunk.len() as u64;
    upload.write(&chunk).await?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::SHIFT_JIS;

    /// Rows handed out two to a page.
    struct Pages(Vec<Vec<String>>);

    #[async_trait]
    impl RowSource for Pages {
        fn header(&self) -> Vec<String> {
            vec!["名前".into(), "内容".into()]
        }
        async fn next_page(&mut self) -> Result<Option<Vec<Vec<String>>>, SourceError> {
            if self.0.is_empty() {
                return Ok(None);
            }
            let n = self.0.len().min(2);
            Ok(Some(self.0.drain(..n).collect()))
        }
    }

    /// An upload that keeps the bytes and how many writes brought them.
    #[derive(Default)]
    struct Kept {
        bytes: Vec<u8>,
    }

    #[async_trait]
    impl ObjectUpload for Kept {
        async fn write(&mut self, bytes: &[u8]) -> Result<(), ObjectError> {
            self.bytes.extend_from_slice(bytes);
            Ok(())
        }
        async fn finish(self: Box<Self>) -> Result<u64, ObjectError> {
            Ok(self.bytes.len() as u64)
        }
        async fn abort(self: Box<Self>) -> Result<(), ObjectError> {
            Ok(())
        }
    }

    fn rows() -> Pages {
        Pages(
            [
                ["髙橋 🍣", "=HYPERLINK(\"http://x\")"],
                ["小浜", "1行目\n2行目"],
                ["𠮷田", "-1"],
            ]
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect(),
        )
    }

    #[tokio::test]
    async fn a_cp932_file_counts_what_it_replaced_and_defuses_formulas() {
        let mut kept = Kept::default();
        let written = write_csv(&mut rows(), CsvEncoding::Cp932, &mut kept)
            .await
            .unwrap();
        let (text, _, errors) = SHIFT_JIS.decode(&kept.bytes);
        assert!(!errors);
        assert_eq!(
            text,
            "名前,内容\r\n髙橋 〓,\"'=HYPERLINK(\"\"http://x\"\")\"\r\n\
             小浜,\"1行目\n2行目\"\r\n〓田,\"'-1\"\r\n"
        );
        assert_eq!(
            written,
            Written {
                rows: 3,
                bytes: kept.bytes.len() as u64,
                replaced: 2
            }
        );
    }

    #[tokio::test]
    async fn a_utf8_file_starts_with_a_bom_and_keeps_every_character() {
        let mut kept = Kept::default();
        let written = write_csv(&mut rows(), CsvEncoding::Utf8Bom, &mut kept)
            .await
            .unwrap();
        assert_eq!(&kept.bytes[..3], [0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8(kept.bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("名前,内容\r\n髙橋 🍣,"), "{text}");
        assert!(text.contains("𠮷田"));
        assert_eq!(written.replaced, 0);
        assert_eq!(written.rows, 3);
    }
}
