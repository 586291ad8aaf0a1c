//! What a front-end needs to know about AWS services, behind a small trait so
//! analysis can be tested against small hand-written service tables.
