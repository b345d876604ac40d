//! What the two fast readers share ([`super::block`] for values files, [`super::subset`]
//! for the render's output check): leaving a text to the full parser when not sure,
//! finding a duplicate key, which the full parser refuses, what a plain key is made of, and
//! where quoted text needs a closer look (which [`super::is_verbatim`] asks as well).

/// Leaving the fast reader's subset: the full parser decides.
#[derive(Debug)]
pub(super) struct Leave;

pub(super) type Read<T> = Result<T, Leave>;

/// YAML allows an implicit key up to 1,024 characters; the full parser enforces it.
/// Measured in bytes from the key's first character to its `:`, kept well inside.
pub(super) const MAX_KEY_BYTES: usize = 1000;

/// Mappings up to this many keys are searched for a duplicate as each key comes.
const SCANNED_KEYS: usize = 16;

/// Keys of one mapping, for finding a duplicate. The first few are compared as they come; a
/// longer mapping's are sorted once it ends, which costs no hashing and cannot be slowed by
/// keys chosen to collide. Each key carries a [`fingerprint`]: equal keys have equal ones,
/// so keys are compared in full only when their fingerprints match.
pub(super) struct Keys<K> {
    list: Vec<(u64, K)>,
}

impl<K: Ord + AsRef<str>> Keys<K> {
    pub(super) fn new() -> Self {
        Self { list: Vec::new() }
    }

    /// Adds a key; a duplicate among the first keys leaves.
    pub(super) fn add(&mut self, key: K) -> Read<()> {
        let print = fingerprint(key.as_ref().as_bytes());
        if self.list.len() < SCANNED_KEYS && self.list.iter().any(|(p, k)| *p == print && *k == key)
        {
            return Err(Leave);
        }
        self.list.push((print, key));
        Ok(())
    }

    /// The mapping has ended: a duplicate anywhere in it leaves.
    pub(super) fn finish(&mut self) -> Read<()> {
        if self.list.len() > SCANNED_KEYS {
            // By fingerprint, then key: equal keys end up next to each other.
            self.list.sort_unstable();
            if self.list.windows(2).any(|pair| pair.first() == pair.last()) {
                return Err(Leave);
            }
        }
        Ok(())
    }
}

/// A summary of a key: its length, first and last byte. Equal keys always have equal
/// fingerprints, and the keys of one mapping seldom share one.
fn fingerprint(key: &[u8]) -> u64 {
    let first = key.first().copied().unwrap_or(0);
    let last = key.last().copied().unwrap_or(0);
    ((key.len() as u64) << 16) | (u64::from(first) << 8) | u64::from(last)
}

/// Key lists of finished mappings, kept for the next ones: one allocation per level of
/// nesting rather than one per mapping.
pub(super) struct SpareKeys<K> {
    lists: Vec<Keys<K>>,
}

impl<K: Ord + AsRef<str>> SpareKeys<K> {
    pub(super) fn new() -> Self {
        Self { lists: Vec::new() }
    }

    /// An empty key list for a mapping that starts.
    pub(super) fn take(&mut self) -> Keys<K> {
        let mut keys = self.lists.pop().unwrap_or_else(Keys::new);
        keys.list.clear();
        keys
    }

    /// Checks a finished mapping's keys ([`Keys::finish`]) and keeps their list.
    pub(super) fn give_back(&mut self, mut keys: Keys<K>) -> Read<()> {
        keys.finish()?;
        self.lists.push(keys);
        Ok(())
    }
}

/// Bytes a plain key is made of after its first: letters, digits and `_./-`. A table,
/// because the key scan is the output check's busiest loop.
const KEY_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < table.len() {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'-');
        b += 1;
    }
    table
};

pub(super) fn is_key_byte(b: u8) -> bool {
    // Always in bounds: the table has an entry for every byte.
    KEY_BYTES.get(usize::from(b)).copied().unwrap_or(false)
}

/// How many bytes at the start of `bytes` are printable ASCII other than `"` and `\`: the
/// run of a double-quoted scalar that needs no escape when written ([`super::is_verbatim`])
/// and no closer look when read back by the output check. Eight bytes at a time, since
/// most of what pgx writes and reads back is quoted text.
pub(super) fn plain_text_run(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut run = 0;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let stops = stops(u64::from_le_bytes(word));
        if stops != 0 {
            // The lowest marked byte is always a true stop: a false mark only ever sits
            // above a true one, where a borrow carried into it.
            return run + (stops.trailing_zeros() / 8) as usize;
        }
        run += 8;
    }
    // The last few bytes, in a word filled out with a stop, so that one test decides all.
    let mut last = [b'"'; 8];
    for (slot, b) in last.iter_mut().zip(chunks.remainder()) {
        *slot = *b;
    }
    run + (stops(u64::from_le_bytes(last)).trailing_zeros() / 8) as usize
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of every byte of `word` that is zero (and possibly of bytes above one).
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// The high bit of every byte of `word` that is a stop (and possibly of bytes above one): a
/// control, DEL, beyond ASCII, `"` or `\`.
fn stops(word: u64) -> u64 {
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    let beyond_ascii = word & HIGHS;
    below_space
        | beyond_ascii
        | zero_bytes(word ^ (ONES * u64::from(b'"')))
        | zero_bytes(word ^ (ONES * u64::from(b'\\')))
        | zero_bytes(word ^ (ONES * 0x7f))
}

#[cfg(test)]
mod tests {
    use super::{fingerprint, plain_text_run, Keys, SCANNED_KEYS};

    /// Whether a mapping with these keys, in this order, has a duplicate.
    fn duplicate(keys: &[&str]) -> bool {
        let mut list = Keys::new();
        keys.iter().any(|key| list.add(*key).is_err()) || list.finish().is_err()
    }

    #[test]
    fn keys_with_one_fingerprint_are_told_apart_and_duplicates_are_not() {
        let print = fingerprint(b"axb");
        assert!([b"ayb", b"azb"].iter().all(|k| fingerprint(*k) == print));
        assert!(!duplicate(&["axb", "ayb", "azb"]));
        assert!(duplicate(&["axb", "ayb", "axb"]));
        // Past the scanned keys, duplicates are found by sorting, also among keys that
        // share a fingerprint with others.
        let mut long: Vec<String> = (0..SCANNED_KEYS + 4).map(|i| format!("k{i:02}")).collect();
        long.extend(["axb".into(), "ayb".into(), "azb".into()]);
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        assert!(!duplicate(&long));
        for late in ["ayb", "k03", "k19"] {
            let mut with = long.clone();
            with.push(late);
            assert!(duplicate(&with), "{late}");
        }
    }

    /// What the eight-at-a-time scan must answer, one byte at a time.
    fn expected(bytes: &[u8]) -> usize {
        bytes
            .iter()
            .take_while(|&&b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
            .count()
    }

    #[test]
    fn every_byte_at_every_offset_stops_the_run_where_it_should() {
        for len in 0..20 {
            for at in 0..len {
                for b in 0..=u8::MAX {
                    let mut bytes = vec![b'a'; len];
                    if let Some(slot) = bytes.get_mut(at) {
                        *slot = b;
                    }
                    assert_eq!(
                        plain_text_run(&bytes),
                        expected(&bytes),
                        "{b:#04x} at {at} of {len}"
                    );
                }
            }
        }
    }

    /// A borrow out of a stop byte marks the byte above it too; pairs of neighbours whose
    /// first one borrows must still stop at the first.
    #[test]
    fn a_stop_next_to_any_byte_is_found_first() {
        for first in [0x00, 0x01, 0x1f, 0x20, b'"', b'\\', 0x7f, 0x80, 0xff] {
            for second in 0..=u8::MAX {
                for at in 0..9 {
                    let mut bytes = vec![b'x'; 16];
                    bytes[at] = first;
                    bytes[at + 1] = second;
                    assert_eq!(
                        plain_text_run(&bytes),
                        expected(&bytes),
                        "{first:#04x} {second:#04x} at {at}"
                    );
                }
            }
        }
    }
}
