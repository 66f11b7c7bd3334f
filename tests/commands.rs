//! `confab command` against real servers (Prosody and ejabberd), as the administrator the
//! harness configures: the server's commands listed, a one-stage command run, a form-filling
//! command that creates an account, a missing answer named, and a non-admin refused.

mod support;

use support::{ADMIN, DOMAIN, PASSWORD, Profile, Server, stderr};

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
