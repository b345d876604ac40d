//! What the two fast readers share ([`super::block`] for values files, [`super::subset`]
//! for the render's output check): leaving a text to the full parser when not sure,
//! finding a duplicate key, which the full parser refuses, and what a plain key is made of.

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
/// keys chosen to collide.
pub(super) struct Keys<K> {
    list: Vec<K>,
}

impl<K: Ord> Keys<K> {
    pub(super) fn new() -> Self {
        Self::with(Vec::new())
    }

    /// Keys in a list kept from an earlier mapping, emptied.
    fn with(mut list: Vec<K>) -> Self {
        list.clear();
        Self { list }
    }

    /// Adds a key; a duplicate among the first keys leaves.
    pub(super) fn add(&mut self, key: K) -> Read<()> {
        if self.list.len() < SCANNED_KEYS && self.list.contains(&key) {
            return Err(Leave);
        }
        self.list.push(key);
        Ok(())
    }

    /// The mapping has ended: a duplicate anywhere in it leaves. Gives back the list.
    pub(super) fn finish(mut self) -> Read<Vec<K>> {
        if self.list.len() > SCANNED_KEYS {
            self.list.sort_unstable();
            if self.list.windows(2).any(|pair| pair.first() == pair.last()) {
                return Err(Leave);
            }
        }
        Ok(self.list)
    }
}

/// Key lists of finished mappings, kept for the next ones: one allocation per level of
/// nesting rather than one per mapping.
pub(super) struct SpareKeys<K> {
    lists: Vec<Vec<K>>,
}

impl<K: Ord> SpareKeys<K> {
    pub(super) fn new() -> Self {
        Self { lists: Vec::new() }
    }

    /// An empty key list for a mapping that starts.
    pub(super) fn take(&mut self) -> Keys<K> {
        Keys::with(self.lists.pop().unwrap_or_default())
    }

    /// Checks a finished mapping's keys ([`Keys::finish`]) and keeps their list.
    pub(super) fn give_back(&mut self, keys: Keys<K>) -> Read<()> {
        self.lists.push(keys.finish()?);
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
