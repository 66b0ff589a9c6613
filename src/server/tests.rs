use super::*;

#[test]
fn options_default_to_the_system_clock_and_signals() {
    let o = Options::default();
    assert!(o.handle_signals);
    assert!(o.audit_sink.is_none());
}
