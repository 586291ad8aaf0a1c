//! Conversion between byte offsets (what the engine speaks) and LSP positions
//! (line + character in the negotiated encoding). The only place that knows
//! about UTF-16 code units and line terminators.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as the LSP specification says.
//! A character past the end of a line clamps to the line end; a line past the
//! end of the document clamps to the document end.

use super::types::Position;

/// How the client counts `character` in a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    fn units(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// Start offsets of every line of a text.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// Byte offset where each line starts; always begins with 0.
    line_starts: Vec<usize>,
    /// Whole text is ASCII: columns are byte counts in every encoding.
    ascii: bool,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(0);
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push(i + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    line_starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex { line_starts, ascii: text.is_ascii() }
    }

    /// Follow an edit that replaced bytes `[start, old_end)` of the old text
    /// with `new_len` bytes, giving `text`: only the lines the edit touched are
    /// scanned again (typing in a large file must not rescan all of it).
    pub fn apply_edit(&mut self, text: &str, start: usize, old_end: usize, new_len: usize) {
        let bytes = text.as_bytes();
        let new_end = start + new_len;
        // A line start is the byte after a terminator: `\n`, or `\r` not followed
        // by `\n`. Starts before `start` keep their terminator and the byte
        // after it; starts after `old_end` keep theirs too (moved by the edit).
        let kept_before = self.line_starts.partition_point(|&s| s < start);
        let kept_after = self.line_starts.partition_point(|&s| s <= old_end);
        let mut rescanned = Vec::new();
        for i in start.saturating_sub(1)..new_end.min(bytes.len()) {
            let ends_line = match bytes[i] {
                b'\n' => true,
                b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            if ends_line && i + 1 >= start.max(1) {
                rescanned.push(i + 1);
            }
        }
        for s in &mut self.line_starts[kept_after..] {
            *s = *s - old_end + new_end;
        }
        self.line_starts.splice(kept_before.max(1)..kept_after, rescanned);
        self.ascii = self.ascii && text.get(start..new_end).is_some_and(str::is_ascii);
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The line's text without its terminator.
    fn line_content<'t>(&self, text: &'t str, line: usize) -> (usize, &'t str) {
        let start = self.line_starts[line];
        let end = self.line_starts.get(line + 1).copied().unwrap_or(text.len());
        let raw = &text[start..end];
        let content = raw.strip_suffix('\n').unwrap_or(raw);
        let content = content.strip_suffix('\r').unwrap_or(content);
        (start, content)
    }

    /// Byte offset of an LSP position, clamped into the text.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return text.len();
        }
        let (start, content) = self.line_content(text, line);
        let want = pos.character;
        if self.ascii || enc == Encoding::Utf8 {
            let mut col = (want as usize).min(content.len());
            // A UTF-8 column inside a character lands on that character's start.
            while !content.is_char_boundary(col) {
                col -= 1;
            }
            return start + col;
        }
        let mut units = 0u32;
        for (i, c) in content.char_indices() {
            if units >= want {
                return start + i;
            }
            units += enc.units(c);
            if units > want {
                // Inside a surrogate pair: the character it belongs to starts here.
                return start + i;
            }
        }
        start + content.len()
    }

    /// LSP position of a byte offset (clamped into the text, rounded down to a character).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let prefix = &text[start..offset];
        let character = if self.ascii || enc == Encoding::Utf8 { prefix.len() as u32 } else { prefix.chars().map(|c| enc.units(c)).sum() };
        Position { line: line as u32, character }
    }

    /// Position of the end of a line's content (before its terminator).
    pub fn line_end(&self, text: &str, line: usize, enc: Encoding) -> Position {
        let line = line.min(self.line_starts.len() - 1);
        let (start, content) = self.line_content(text, line);
        self.position(text, start + content.len(), enc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs_and_bmp_chars() {
        // "é" is 2 bytes / 1 UTF-16 unit; "😀" is 4 bytes / 2 units.
        let text = "x = 'é😀'; s3.get_object()\n";
        let idx = LineIndex::new(text);
        let byte = text.find("s3").unwrap();
        assert_eq!(byte, 14);
        assert_eq!(idx.position(text, byte, Encoding::Utf16), pos(0, 11));
        assert_eq!(idx.position(text, byte, Encoding::Utf8), pos(0, 14));
        assert_eq!(idx.position(text, byte, Encoding::Utf32), pos(0, 10));
        assert_eq!(idx.offset(text, pos(0, 11), Encoding::Utf16), byte);
        assert_eq!(idx.offset(text, pos(0, 14), Encoding::Utf8), byte);
        assert_eq!(idx.offset(text, pos(0, 10), Encoding::Utf32), byte);
    }

    #[test]
    fn a_column_inside_a_surrogate_pair_lands_on_the_character_start() {
        let text = "😀a";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(text, pos(0, 1), Encoding::Utf16), 0);
        assert_eq!(idx.offset(text, pos(0, 2), Encoding::Utf16), 4);
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nbc\rd\ne";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.offset(text, pos(1, 0), Encoding::Utf16), 3);
        assert_eq!(idx.offset(text, pos(2, 0), Encoding::Utf16), 6);
        assert_eq!(idx.offset(text, pos(3, 0), Encoding::Utf16), 8);
        assert_eq!(idx.position(text, 7, Encoding::Utf16), pos(2, 1));
        // Past the end of a CRLF line clamps before the terminator.
        assert_eq!(idx.offset(text, pos(0, 99), Encoding::Utf16), 1);
        assert_eq!(idx.line_end(text, 1, Encoding::Utf16), pos(1, 2));
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let text = "abc\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(text, pos(7, 3), Encoding::Utf16), 4);
        assert_eq!(idx.position(text, 100, Encoding::Utf16), pos(1, 0));
        assert_eq!(idx.offset(text, pos(0, 100), Encoding::Utf8), 3);
    }

    #[test]
    fn empty_text_has_one_line() {
        let idx = LineIndex::new("");
        assert_eq!(idx.line_count(), 1);
        assert_eq!(idx.offset("", pos(0, 5), Encoding::Utf16), 0);
        assert_eq!(idx.position("", 0, Encoding::Utf16), pos(0, 0));
    }

    mod edits {
        use super::*;
        use proptest::prelude::*;

        const PIECES: &[&str] = &["a", "\n", "\r", "\r\n", "é", "😀", "xy\nz", "\n\r", ""];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]
            /// After any edit, the updated index equals one built from scratch.
            #[test]
            fn an_edited_index_equals_a_fresh_one(
                base in proptest::collection::vec(0usize..PIECES.len(), 0..24),
                edits in proptest::collection::vec((0usize..200, 0usize..6, proptest::collection::vec(0usize..PIECES.len(), 0..4)), 1..6),
            ) {
                let mut text: String = base.iter().map(|&i| PIECES[i]).collect();
                let mut index = LineIndex::new(&text);
                for (at, len, inserted) in edits {
                    let inserted: String = inserted.iter().map(|&i| PIECES[i]).collect();
                    let start = (0..=at.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
                    let end = ((start + len).min(text.len())..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
                    text.replace_range(start..end, &inserted);
                    index.apply_edit(&text, start, end, inserted.len());
                    let fresh = LineIndex::new(&text);
                    prop_assert_eq!(&index.line_starts, &fresh.line_starts, "text {:?}", text);
                    prop_assert!(!index.ascii || text.is_ascii());
                }
            }
        }
    }

    #[test]
    fn round_trip_on_every_char_boundary() {
        let text = "ä\r\n😀 b\n\tç\rz";
        let idx = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for (i, _) in text.char_indices() {
                let p = idx.position(text, i, enc);
                let back = idx.offset(text, p, enc);
                // Offsets inside a terminator map to the line end.
                let in_terminator = text[..i].ends_with('\r') && text[i..].starts_with('\n');
                if !in_terminator {
                    assert_eq!(back, i, "{enc:?} offset {i} -> {p:?}");
                }
            }
        }
    }
}
