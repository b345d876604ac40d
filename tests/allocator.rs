//! The binary's allocator, installed here as this test binary's own: loading large values
//! switches it to mimalloc; memory given before the switch is grown, shrunk and freed by the
//! system allocator, memory given after by mimalloc, and neither sees the other's pointers
//! (which would abort or corrupt the heap).
//!
//! The switch is process-wide and one-way, so this file holds a single test that walks
//! through it in order.

mod support;

use std::alloc::{alloc, alloc_zeroed, dealloc, realloc, Layout};

use pgx::allocator::{self, Owner, LARGE_INPUT};
use pgx::yaml::SourceId;
use support::Random;

#[global_allocator]
static ALLOCATOR: allocator::Allocator = allocator::Allocator;

/// Sizes across both allocators' small, medium and large classes, and alignments beyond
/// malloc's own.
const LAYOUTS: [(usize, usize); 8] = [
    (1, 1),
    (24, 8),
    (100, 4),
    (4096, 4096),
    (5000, 64),
    (70_000, 16),
    (300_000, 8),
    (3 << 20, 256),
];

/// A block filled with a pattern that tells blocks, and positions within them, apart.
struct Block {
    ptr: *mut u8,
    layout: Layout,
    seed: u8,
}

impl Block {
    fn new(size: usize, align: usize, seed: u8, zeroed: bool) -> Block {
        let layout = Layout::from_size_align(size, align).unwrap();
        let ptr = unsafe {
            if zeroed {
                alloc_zeroed(layout)
            } else {
                alloc(layout)
            }
        };
        assert!(!ptr.is_null(), "{layout:?}");
        assert_eq!(ptr as usize % align, 0, "{layout:?}");
        if zeroed {
            let bytes = unsafe { std::slice::from_raw_parts(ptr, size) };
            assert!(bytes.iter().all(|&b| b == 0), "{layout:?} not zeroed");
        }
        let block = Block { ptr, layout, seed };
        block.fill(0);
        block
    }

    fn fill(&self, from: usize) {
        for i in from..self.layout.size() {
            unsafe { self.ptr.add(i).write(pattern(self.seed, i)) };
        }
    }

    fn check(&self, len: usize) {
        let bytes = unsafe { std::slice::from_raw_parts(self.ptr, len) };
        for (i, &b) in bytes.iter().enumerate() {
            assert_eq!(b, pattern(self.seed, i), "byte {i} of {:?}", self.layout);
        }
    }

    /// Grows or shrinks the block, keeping what fits and filling what is new.
    fn resize(&mut self, new_size: usize) {
        let old = self.layout.size();
        let ptr = unsafe { realloc(self.ptr, self.layout, new_size) };
        assert!(!ptr.is_null());
        assert_eq!(ptr as usize % self.layout.align(), 0);
        self.ptr = ptr;
        self.layout = Layout::from_size_align(new_size, self.layout.align()).unwrap();
        self.check(old.min(new_size));
        self.fill(old.min(new_size));
    }

    fn owner(&self) -> Owner {
        Owner::of(self.ptr)
    }
}

// SAFETY: a block owns its memory alone, as a `Box<[u8]>` would.
unsafe impl Send for Block {}

impl Drop for Block {
    fn drop(&mut self) {
        unsafe { dealloc(self.ptr, self.layout) };
    }
}

/// 1 byte to 64 KiB, as many small sizes as large.
fn random_size(random: &mut Random) -> usize {
    let bits = random.below(17);
    1 + random.below(1 << bits)
}

fn random_block(random: &mut Random, seed: u32) -> Block {
    let size = random_size(random);
    let align = 1 << random.below(7);
    let zeroed = random.below(2) == 0;
    Block::new(size, align, seed as u8, zeroed)
}

fn pattern(seed: u8, i: usize) -> u8 {
    (i as u8).wrapping_mul(31).wrapping_add(seed)
}

/// A values file of `size` bytes: a cluster list padded with a comment.
fn values_file(dir: &tempfile::TempDir, name: &str, size: usize) -> String {
    let head = "pgClusters: []\n#";
    let path = dir.path().join(name);
    std::fs::write(
        &path,
        format!("{head}{}\n", "x".repeat(size - head.len() - 1)),
    )
    .unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len() as usize, size);
    path.to_str().unwrap().to_owned()
}

fn load(files: &[&str]) -> pgx::load::Loaded {
    let input = pgx::load::ValuesInput {
        files: files.iter().map(|f| f.to_string()).collect(),
        set: Vec::new(),
        set_string: Vec::new(),
        max_file_size: pgx::load::DEFAULT_MAX_FILE_SIZE,
    };
    let loaded = pgx::load::load(&input, &mut std::io::empty()).unwrap();
    assert!(loaded.values.is_some());
    loaded
}

fn blocks(seed: u8) -> Vec<Block> {
    LAYOUTS
        .iter()
        .enumerate()
        .map(|(n, &(size, align))| Block::new(size, align, seed.wrapping_add(n as u8), n % 2 == 1))
        .collect()
}

#[test]
fn small_inputs_use_the_system_allocator_and_large_ones_mimalloc_each_freeing_its_own() {
    // Before any large input: the system allocator's, and mimalloc does not claim them.
    assert_eq!(allocator::current(), Owner::System);
    let mut before = blocks(1);
    for block in &before {
        assert_eq!(block.owner(), Owner::System, "{:?}", block.layout);
    }
    assert_eq!(Owner::of(std::ptr::null()), Owner::System);
    let text: String = "x".repeat(1000);

    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let mut pool: Vec<Block> = (0..200).map(|n| random_block(&mut random, n)).collect();

    allocator::note_input(LARGE_INPUT - 1);
    assert_eq!(allocator::current(), Owner::System, "below the threshold");
    let still_small = blocks(2);
    assert!(still_small.iter().all(|b| b.owner() == Owner::System));
    drop(still_small);

    // Loading values is what moves it: one file under the threshold, then two that reach it
    // together.
    let dir = tempfile::tempdir().unwrap();
    let small = values_file(&dir, "small.yaml", LARGE_INPUT / 2 - 100);
    load(&[&small]);
    assert_eq!(
        allocator::current(),
        Owner::System,
        "{small} alone is small"
    );
    let other = values_file(&dir, "other.yaml", LARGE_INPUT / 2 + 100);
    let loaded = load(&[&small, &other]);
    assert_eq!(
        allocator::current(),
        Owner::Mimalloc,
        "{small} and {other} are large"
    );
    // The switch came from the second file's size, before it was read: its text is
    // mimalloc's, the first file's the system's.
    let text_owner = |id| Owner::of(loaded.sources.get(SourceId(id)).unwrap().text.as_ptr());
    assert_eq!(text_owner(0), Owner::System);
    assert_eq!(text_owner(1), Owner::Mimalloc);
    drop(loaded);
    allocator::note_input(0);
    assert_eq!(
        allocator::current(),
        Owner::Mimalloc,
        "the switch is one-way"
    );

    // After: mimalloc's, told apart from the system's.
    let mut after = blocks(3);
    for block in &after {
        assert_eq!(block.owner(), Owner::Mimalloc, "{:?}", block.layout);
    }

    // Memory from before the switch stays with the system allocator through growth and
    // shrinking; memory from after, with mimalloc.
    for (n, block) in before.iter_mut().chain(after.iter_mut()).enumerate() {
        let factor = [3, 2, 1, 5, 7][n % 5];
        let owner = block.owner();
        let size = block.layout.size();
        block.resize(size * factor + 1);
        assert_eq!(block.owner(), owner, "grown {:?}", block.layout);
        block.resize(size / 2 + 1);
        assert_eq!(block.owner(), owner, "shrunk {:?}", block.layout);
        block.check(block.layout.size());
    }

    // A random walk over blocks from both sides: new ones (mimalloc's), resizes that keep
    // each block's owner and contents, frees in any order.
    let mut resized = [0u32; 2];
    let mut freed = [0u32; 2];
    let side = |owner| usize::from(owner == Owner::Mimalloc);
    for step in 0..5_000u32 {
        let pick = random.below(pool.len().max(1));
        match random.below(3) {
            0 if pool.len() < 400 => {
                let block = random_block(&mut random, step);
                assert_eq!(block.owner(), Owner::Mimalloc, "{:?}", block.layout);
                pool.push(block);
            }
            1 if !pool.is_empty() => {
                let owner = pool[pick].owner();
                let size = random_size(&mut random);
                pool[pick].resize(size);
                assert_eq!(
                    pool[pick].owner(),
                    owner,
                    "step {step}: {:?}",
                    pool[pick].layout
                );
                resized[side(owner)] += 1;
            }
            _ if !pool.is_empty() => {
                let block = pool.swap_remove(pick);
                block.check(block.layout.size());
                freed[side(block.owner())] += 1;
            }
            _ => {}
        }
    }
    // The walk reached both sides: system blocks from before the switch, mimalloc's after.
    assert!(
        resized.iter().chain(&freed).all(|&n| n > 10),
        "{resized:?} {freed:?}"
    );
    for block in pool.drain(..) {
        block.check(block.layout.size());
    }

    // Freed in an interleaved order, on another thread too; then a string from before.
    let other: Vec<Block> = before.drain(4..).chain(after.drain(4..)).collect();
    std::thread::spawn(move || {
        for block in &other {
            block.check(block.layout.size());
        }
        drop(other);
        let on_thread = blocks(4);
        assert!(on_thread.iter().all(|b| b.owner() == Owner::Mimalloc));
    })
    .join()
    .unwrap();
    for (a, b) in before.drain(..).zip(after.drain(..)) {
        a.check(a.layout.size());
        b.check(b.layout.size());
        drop(b);
        drop(a);
    }
    assert_eq!(text.len(), 1000);
    let mut grown = text;
    grown.push_str(&"y".repeat(100_000));
    assert!(grown.starts_with("xxx") && grown.ends_with("yyy"));
}
