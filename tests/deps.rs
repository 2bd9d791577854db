//! The dependency record: what each page was made from, which the live preview
//! uses to rebuild only what an edit touches.

mod common;

use common::*;
use tumen::build::render_site;
use tumen::deps::Dep;

#[test]
fn each_page_records_what_it_used() {
    let (tmp, site) = copy_fixture("basic");
    let opts = options(&site, &tmp.path().join("out"));
    let (_site, rendered) = render_site(&opts).expect("fixture renders");
    let deps = |p: &str| {
        rendered
            .deps
            .get(p)
            .unwrap_or_else(|| panic!("no record for {p}"))
    };

    let trade = deps("briefs/trade/index.html");
    assert!(trade.contains(&Dep::Config));
    assert!(trade.contains(&Dep::Template("brief.html".into())));
    assert!(
        trade
            .iter()
            .any(|d| matches!(d, Dep::Brief(p) if p.ends_with("briefs/trade.md")))
    );
    assert!(
        trade.contains(&Dep::Dataset("trade".into())),
        "inline values read the trade dataset"
    );
    let debt = deps("briefs/debt/index.html");
    assert!(
        !debt.contains(&Dep::Dataset("trade".into())),
        "the debt brief reads no dataset: {debt:?}"
    );
    // The trade brief is the debt brief's related brief (they share a topic), so
    // the debt page shows its card and changes with it; and with the topic's list.
    assert!(
        debt.iter()
            .any(|d| matches!(d, Dep::Card(p) if p.ends_with("trade.md"))),
        "{debt:?}"
    );
    assert!(
        !debt
            .iter()
            .any(|d| matches!(d, Dep::Brief(p) if p.ends_with("trade.md"))),
        "only the trade brief's card shows on the debt page: {debt:?}"
    );
    assert!(debt.contains(&Dep::Topic("debt".into())), "{debt:?}");
    assert!(
        !debt.contains(&Dep::BriefList),
        "a brief page does not change with every other brief: {debt:?}"
    );
    let topic = deps("topics/debt/index.html");
    assert!(topic.contains(&Dep::Topic("debt".into())));
    // A list shows cards: it changes with what a card shows, not with every edit.
    assert!(
        topic
            .iter()
            .any(|d| matches!(d, Dep::Card(p) if p.ends_with("debt.md"))),
        "{topic:?}"
    );
    assert!(!topic.contains(&Dep::Cards) && !topic.contains(&Dep::BriefList));

    assert!(deps("index.html").contains(&Dep::Cards));
    assert!(deps("index.html").contains(&Dep::Topics));
    // The list of all briefs, a page at a time: the order of the briefs, and
    // the cards it shows, not every card.
    let briefs = deps("briefs/index.html");
    assert!(briefs.contains(&Dep::BriefOrder) && !briefs.contains(&Dep::Cards));
    assert!(
        briefs
            .iter()
            .any(|d| matches!(d, Dep::Card(p) if p.ends_with("debt.md"))),
        "{briefs:?}"
    );
    assert!(deps("topics/index.html").contains(&Dep::Topics));
    let sources = deps("sources/index.html");
    assert!(sources.contains(&Dep::CitedBy("memo-2016".into())));
    assert!(
        sources
            .iter()
            .any(|d| matches!(d, Dep::Card(p) if p.ends_with("debt.md"))),
        "the sources page names the briefs citing each: {sources:?}"
    );
    let data = deps("data/trade/index.html");
    assert!(data.contains(&Dep::Dataset("trade".into())));
    assert!(data.contains(&Dep::UsedBy("trade".into())), "{data:?}");
    assert_eq!(
        deps("data/trade.csv").iter().collect::<Vec<_>>(),
        vec![&Dep::Dataset("trade".into())]
    );
    assert!(deps("notes.txt").contains(&Dep::Static("notes.txt".into())));
    // Every file of the output has a record.
    assert_eq!(rendered.deps.len(), rendered.files.len());
    assert_eq!(rendered.all_paths.len(), rendered.files.len());
}
