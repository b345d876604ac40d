//! The binary's allocator: the system's while the values read are small, mimalloc with
//! transparent huge pages once they are large.
//!
//! Both ends of pgx's use were measured (issue #7, README "Performance"). A render of a few
//! clusters, the common case of an ArgoCD refresh, is over before mimalloc pays off:
//! reserving its arena and starting one page per size class cost a third of production's
//! page faults. A large fleet is the opposite: on mimalloc it allocates faster and its render
//! threads do not contend, and with huge pages its heap takes a few hundred page faults
//! instead of one per 4 KiB (73,000 at 10,000 clusters).
//!
//! So allocations start on the system allocator, and [`note_input`] moves new ones to
//! mimalloc when the values read reach [`LARGE_INPUT`]. mimalloc reserves its arena on its
//! first allocation, advised for huge pages where the kernel's setting is `madvise` or
//! `always`; `MIMALLOC_ALLOW_THP=0` in the environment turns that off.
//!
//! Memory is always returned to the allocator that gave it: mimalloc knows its own addresses
//! ([`mi_is_in_heap_region`]), so a pointer it does not know is the system's; before the
//! switch every pointer is, and mimalloc is not asked. Nothing moves from one to the other;
//! a buffer the system allocator gave before the switch is grown and freed by it.
//!
//! [`mi_is_in_heap_region`]: libmimalloc_sys::mi_is_in_heap_region
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

use mimalloc::MiMalloc;

/// Values of this many bytes or more (all files together) are read and rendered on mimalloc.
/// Where the two broke even when measured: 30 clusters of the generated fleet, 33 KB.
pub const LARGE_INPUT: usize = 32 * 1024;

/// Whether new allocations go to mimalloc. Only ever set, never cleared. Relaxed suffices: a
/// thread that still sees `false` allocates from the system, which is correct too, since
/// every pointer is freed by the allocator that owns it, whichever that is; why a free may
/// read it relaxed as well is in [`owner_of_allocated`].
static LARGE: AtomicBool = AtomicBool::new(false);

/// Tells the allocator how many bytes of values have been read so far.
pub fn note_input(bytes: usize) {
    if bytes >= LARGE_INPUT {
        LARGE.store(true, Ordering::Relaxed);
    }
}

/// Which allocator gives new memory now.
pub fn current() -> Owner {
    if LARGE.load(Ordering::Relaxed) {
        Owner::Mimalloc
    } else {
        Owner::System
    }
}

/// Which allocator a pointer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    System,
    Mimalloc,
}

impl Owner {
    /// Looks `ptr` up in mimalloc's page map, which holds every address mimalloc has given
    /// and nothing else; a null or foreign pointer, including any from before mimalloc
    /// started, is not in it.
    pub fn of(ptr: *const u8) -> Owner {
        // SAFETY: a read-only lookup of an address; mimalloc never dereferences it.
        if unsafe { libmimalloc_sys::mi_is_in_heap_region(ptr.cast()) } {
            Owner::Mimalloc
        } else {
            Owner::System
        }
    }
}

/// Which allocator a pointer being freed or resized came from. Until the switch nothing can
/// be mimalloc's, so its page map is asked only after (the lookup was 2 % of a production
/// render's instructions).
///
/// Why a relaxed load answers for pointers from other threads too: the allocation of `ptr`
/// happens before its free (on one thread, or handed over with the synchronisation safe
/// Rust requires), so the allocation's load of `LARGE` happens before this one. Read-read
/// coherence, which holds for relaxed atomics, then forbids this load to see an older value
/// than that one did: if this load sees `false`, so did the allocation, and `ptr` is the
/// system's.
fn owner_of_allocated(ptr: *const u8) -> Owner {
    match current() {
        Owner::System => Owner::System,
        Owner::Mimalloc => Owner::of(ptr),
    }
}

/// The global allocator of the `pgx` binary (`src/main.rs`).
pub struct Allocator;

// SAFETY: every method forwards to one of two sound allocators. `alloc` and `alloc_zeroed`
// pick one; `dealloc` and `realloc` go to the one that owns the pointer, so each allocator
// only ever sees its own pointers, with the layout they were allocated with.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match current() {
            Owner::System => System.alloc(layout),
            Owner::Mimalloc => MiMalloc.alloc(layout),
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match current() {
            Owner::System => System.alloc_zeroed(layout),
            Owner::Mimalloc => MiMalloc.alloc_zeroed(layout),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match owner_of_allocated(ptr) {
            Owner::System => System.dealloc(ptr, layout),
            Owner::Mimalloc => MiMalloc.dealloc(ptr, layout),
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match owner_of_allocated(ptr) {
            Owner::System => System.realloc(ptr, layout, new_size),
            Owner::Mimalloc => MiMalloc.realloc(ptr, layout, new_size),
        }
    }
}
