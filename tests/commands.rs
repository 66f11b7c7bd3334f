//! `confab command` against real servers (Prosody and ejabberd), as the administrator the
//! harness configures: the server's commands listed, a one-stage command run, a form-filling
//! command that creates an account, a missing answer named, and a non-admin refused; and the
//! window's discovery browser running a command through the worker.

mod support;

use confab::ui::discovery::{self, Action, Message};
use confab::worker::{Command, Event};
use iced_test::selector::{Candidate, Target};
use iced_test::simulator;
use support::{
    ADMIN, DOMAIN, PASSWORD, Profile, Server, WAIT, online, server_with, stderr, wait_for,
};

const ONLINE_USERS: &str = "http://jabber.org/protocol/admin#get-online-users-list";
const ADD_USER: &str = "http://jabber.org/protocol/admin#add-user";

#[test]
fn an_administrator_lists_and_runs_the_servers_commands() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register(ADMIN, PASSWORD);
        server.register("alice", PASSWORD);
        let admin = Profile::new(&server, ADMIN, PASSWORD);

        let commands = admin.json_lines(&["command", DOMAIN, "--json"]);
        let nodes: Vec<&str> = commands.iter().filter_map(|c| c["node"].as_str()).collect();
        assert!(nodes.contains(&ONLINE_USERS) && nodes.contains(&ADD_USER), "{nodes:?}");

        // Prosody asks how many first (answered with its defaults); ejabberd lists at once.
        let listed = admin.json_lines(&["command", DOMAIN, ONLINE_USERS, "--json"]);
        let me = format!("{ADMIN}@{DOMAIN}");
        let values =
            listed.iter().flat_map(|f| f["values"].as_array().cloned().unwrap_or_default());
        let named: Vec<String> = values.filter_map(|v| v.as_str().map(str::to_owned)).collect();
        assert!(
            named.iter().any(|v| v.starts_with(&me)),
            "the administrator is online: {listed:?}"
        );

        let out = admin.run(&["command", DOMAIN, ADD_USER]);
        assert!(!out.status.success());
        let asked = stderr(&out);
        assert!(
            asked.contains("also asks for") && asked.contains("--field accountjid="),
            "{asked}"
        );

        let newcomer = format!("newcomer@{DOMAIN}");
        admin.ok(&[
            "command",
            DOMAIN,
            ADD_USER,
            "--field",
            &format!("accountjid={newcomer}"),
            "--field",
            "password=new secret",
            "--field",
            "password-verify=new secret",
        ]);
        Profile::new(&server, "newcomer", "new secret").ok(&["sync", "--wait", "0"]);

        let alice = Profile::new(&server, "alice", PASSWORD);
        let intruder = format!("intruder@{DOMAIN}");
        let out = alice.run(&[
            "command",
            DOMAIN,
            ADD_USER,
            "--field",
            &format!("accountjid={intruder}"),
            "--field",
            "password=x",
            "--field",
            "password-verify=x",
        ]);
        assert!(!out.status.success(), "only the administrator may");
        assert!(!stderr(&out).contains("also asks for"), "refused, not asked: {}", stderr(&out));
        let out = Profile::new(&server, "intruder", "x").run(&["sync", "--wait", "0"]);
        assert!(!out.status.success(), "no account was made");
    }
}

/// Turn what the browser asks into worker commands, and feed the worker's answers back until
/// `done` says the browser has what the step needed.
async fn drive(
    browser: &mut discovery::State,
    event: Option<discovery::Event>,
    worker: &confab::worker::Handle,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
) {
    let mut awaited = 0;
    match event {
        Some(discovery::Event::Ask(asks)) => {
            for ask in asks {
                let (jid, node, query) = (ask.key.jid, ask.key.node, ask.query);
                worker.send(Command::Discover { jid, node, query }).expect("sent");
                awaited += 1;
            }
        }
        Some(discovery::Event::Step { jid, node, session, action, form }) => {
            worker.send(Command::RunCommand { jid, node, session, action, form }).expect("sent");
            awaited += 1;
        }
        other => panic!("the browser asked for {other:?}"),
    }
    for _ in 0..awaited {
        let event = wait_for(events, WAIT, "an answer for the browser", |e| {
            matches!(e, Event::Discovered { .. } | Event::CommandStage { .. })
        })
        .await;
        match event {
            Event::Discovered { jid, node, query, answer } => {
                browser.answer(discovery::Key { jid, node }, &query, answer);
            }
            Event::CommandStage { jid, node, answer } => browser.command_stage(&jid, &node, answer),
            _ => unreachable!("matched"),
        }
    }
}

/// The window's discovery browser, driven as a user would (its buttons clicked in a headless
/// rendering), against the real server through the worker: the server's commands listed, the
/// online-users command run through its stages, and its result read in the browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_runs_a_servers_command_through_its_stages() {
    for kind in support::servers() {
        let (_server, users) = server_with(kind, &[ADMIN]);
        let (worker, mut events) = online(&users[0]).await;
        let (mut browser, ask) = discovery::State::new(DOMAIN);
        drive(&mut browser, ask, &worker, &mut events).await;
        let ask = browser.update(Message::Act(Action::ListCommands(DOMAIN.into())));
        drive(&mut browser, ask, &worker, &mut events).await;
        let run = Action::RunCommand {
            jid: DOMAIN.into(),
            node: ONLINE_USERS.into(),
            name: "Online users".into(),
        };
        let step = browser.update(Message::Act(run));
        drive(&mut browser, step, &worker, &mut events).await;
        // Prosody asks how many to list first; ejabberd answers at once.
        for _ in 0..3 {
            let mut ui = simulator(browser.view());
            if ui.find("Done.").is_ok() {
                break;
            }
            let forward = ["Finish", "Next"].into_iter().find(|b| ui.click(*b).is_ok());
            assert!(forward.is_some(), "{kind:?}: no way forward");
            let steps: Vec<_> = ui.into_messages().filter_map(|m| browser.update(m)).collect();
            for step in steps {
                drive(&mut browser, Some(step), &worker, &mut events).await;
            }
        }
        let me = format!("{ADMIN}@{DOMAIN}");
        let mut ui = simulator(browser.view());
        ui.find("Done.").unwrap_or_else(|_| panic!("{kind:?}: the command finished"));
        let listed = ui.find(move |candidate: Candidate<'_>| match candidate {
            Candidate::Text { content, .. } if content.contains(&me) => {
                Some(Target::from(candidate))
            }
            _ => None,
        });
        assert!(listed.is_ok(), "{kind:?}: the administrator is listed as online");
    }
}
