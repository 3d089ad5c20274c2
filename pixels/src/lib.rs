//! The pixel loops behind Framescope's software video path: a frame in
//! the decoder's YUV layout (or BGRx/BGRA) scaled and converted to BGRx at
//! another size in one pass, row by row, with no intermediate frame.
//!
//! - `filter`: the weights of a one-dimensional resize (a widened
//!   triangle filter).
//! - `kernels`: the vertical pass, the horizontal pass (AVX2 where the CPU
//!   has it) and the YUV to BGRx conversion of one row.
//! - `plan`: one conversion for a pair of sizes, run over a whole frame.
//!
//! Nothing here panics on a frame that does not match its plan: a frame
//! too small for it is refused with [`ShortFrame`].

#![warn(missing_docs)]

mod filter;
mod kernels;
mod plan;

pub use filter::MAX_TAPS;
pub use kernels::Matrix;
pub use plan::{Layout, Plan, Plane, ShortFrame};
