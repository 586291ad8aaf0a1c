//! Placeholder: the knowledge helper replaces this with the real loader.
