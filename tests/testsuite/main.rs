//! Integration tests: the real `boardpack` binary on real reports, with the
//! real PDF and DOCX inspected. One test binary (like mdBook's testsuite);
//! see `README.md` beside this file for how to add a case.

mod accessibility;
mod bad_inputs;
mod batch;
mod build;
mod checks;
mod database;
mod datetimes;
mod diagnostics;
mod disclosure;
mod errors;
mod escaping;
mod float_order;
mod fuzz;
mod house;
mod house_style;
mod live;
mod output;
mod pdf;
mod projects;
mod properties;
mod provenance;
mod redline;
mod refresh;
mod rounding;
mod safety;
mod sandbox;
mod snapshots;
mod sources;
mod support;
mod tables;
mod trace;
mod watch;
mod word;
