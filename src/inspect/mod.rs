//! Media inspection (see issue: stream inspection); currently media facts via the engine.
