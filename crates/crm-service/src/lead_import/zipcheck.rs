//! Refusing zip bombs before an .xlsx is parsed. The central directory declares each
//! entry's packed and unpacked size: the archive is refused when it would unpack to more
//! than [`MAX_UNPACKED`] bytes or, past [`RATIO_FLOOR`], packs more than [`MAX_RATIO`]:1.
//! Declared sizes can lie, so on upload every entry is also inflated into a sink, counting
//! the bytes that really come out and stopping at the budget: nothing is kept in memory.

use super::file::FileError;
use std::io::{self, Cursor, Read};
use zip::ZipArchive;

/// At most this many bytes once unpacked, over the whole archive.
pub const MAX_UNPACKED: u64 = 200 * 1024 * 1024;
/// At most this ratio of unpacked to packed bytes, over the whole archive…
pub const MAX_RATIO: u64 = 100;
/// …once it unpacks to more than this (small sheets of repeated cells pack very well).
pub const RATIO_FLOOR: u64 = 10 * 1024 * 1024;
/// At most this many entries.
pub const MAX_ENTRIES: usize = 10_000;

fn bomb() -> FileError {
    FileError::new(
        "zip_bomb",
        format!(
            "The .xlsx file would unpack to more than {} MB or is packed more than {MAX_RATIO}:1; \
             it was refused without being opened",
            MAX_UNPACKED / (1024 * 1024)
        ),
    )
}

pub(super) fn not_xlsx(detail: impl std::fmt::Display) -> FileError {
    FileError::new(
        "not_xlsx",
        format!("This is not a valid .xlsx workbook ({detail}). Save it again as .xlsx or .csv"),
    )
}

/// Checks the archive's declared sizes; with `inflate`, also the real ones.
pub fn check(bytes: &[u8], inflate: bool) -> Result<(), FileError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(not_xlsx)?;
    if zip.len() > MAX_ENTRIES {
        return Err(bomb());
    }
    let (mut packed, mut unpacked) = (0u64, 0u64);
    let mut workbook = false;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(not_xlsx)?;
        packed = packed.saturating_add(f.compressed_size());
        unpacked = unpacked.saturating_add(f.size());
        workbook |= f.name().is_ok_and(|n| n == "xl/workbook.xml");
    }
    if unpacked > MAX_UNPACKED || (unpacked > RATIO_FLOOR && unpacked / packed.max(1) > MAX_RATIO) {
        return Err(bomb());
    }
    if !workbook {
        return Err(not_xlsx("no xl/workbook.xml"));
    }
    if inflate {
        let mut budget = MAX_UNPACKED;
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).map_err(not_xlsx)?;
            let declared = f.size();
            let cap = declared.min(budget);
            let n = io::copy(&mut (&mut f).take(cap + 1), &mut io::sink()).map_err(not_xlsx)?;
            if n > cap {
                return Err(bomb());
            }
            budget -= n;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn archive(entries: &[(&str, usize)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        for (name, size) in entries {
            w.start_file(*name, opts).unwrap();
            let chunk = vec![b' '; 1 << 20];
            let mut left = *size;
            while left > 0 {
                let n = left.min(chunk.len());
                w.write_all(&chunk[..n]).unwrap();
                left -= n;
            }
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn highly_compressed_archives_are_refused() {
        let z = archive(&[
            ("xl/workbook.xml", 10),
            ("xl/worksheets/sheet1.xml", 12 << 20),
        ]);
        assert_eq!(check(&z, false).unwrap_err().code, "zip_bomb");
    }

    #[test]
    fn small_well_packed_archives_pass_and_others_are_not_xlsx() {
        let z = archive(&[
            ("xl/workbook.xml", 10),
            ("xl/worksheets/sheet1.xml", 1 << 20),
        ]);
        assert!(check(&z, true).is_ok());
        let z = archive(&[("word/document.xml", 10)]);
        assert_eq!(check(&z, true).unwrap_err().code, "not_xlsx");
        assert_eq!(
            check(b"PK\x03\x04garbage", true).unwrap_err().code,
            "not_xlsx"
        );
    }
}
