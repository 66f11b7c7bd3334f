"""An independent XMPP client (slixmpp) for the interoperability tests (tests/interop_slixmpp.rs).

It logs in as the account given, reads one JSON command per line on standard input and prints
one JSON event per line on standard output, as slixmpp's own plugins understood what came in:
replies (XEP-0461, its fallback stripped by slixmpp), reactions (XEP-0444) and retractions
(XEP-0424). Usage: slix_peer.py JID PASSWORD HOST PORT CA_FILE
"""

import asyncio
import json
import sys

import slixmpp


def say(**event):
    print(json.dumps(event, ensure_ascii=False), flush=True)


class Peer(slixmpp.ClientXMPP):
    def __init__(self, jid, password, ca_file):
        super().__init__(jid, password)
        for plugin in ["xep_0030", "xep_0359", "xep_0424", "xep_0428", "xep_0444", "xep_0461"]:
            self.register_plugin(plugin)
        # The test server's certificate is signed by the authority made for the run.
        self.ssl_context.load_verify_locations(cafile=ca_file)
        self.add_event_handler("session_start", self.started)
        self.add_event_handler("message", self.message)
        self.add_event_handler("reactions", self.reactions)
        self.add_event_handler("message_retract", self.retracted)

    async def started(self, _event):
        self.send_presence()
        await self.get_roster()
        say(event="online")
        asyncio.ensure_future(self.commands())

    def message(self, msg):
        if msg["type"] not in ("chat", "normal") or not msg["body"]:
            return
        if msg.get_plugin("reactions", check=True) or msg.get_plugin("retract", check=True):
            return
        reply = msg.get_plugin("reply", check=True)
        say(
            event="message",
            id=msg["id"],
            body=msg["body"],
            reply_id=reply["id"] if reply else None,
            reply_to=str(reply["to"]) if reply else None,
            stripped=reply.strip_fallback_content() if reply else None,
        )

    def reactions(self, msg):
        say(event="reactions", id=msg["reactions"]["id"], values=sorted(msg["reactions"]["values"]))

    def retracted(self, msg):
        say(event="retract", id=msg["retract"]["id"])

    async def commands(self):
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := await reader.readline():
            command = json.loads(line)
            op = command["op"]
            if op == "send":
                msg = self.make_message(mto=command["to"], mbody=command["body"], mtype="chat")
                msg["id"] = command["id"]
                msg["origin_id"]["id"] = command["id"]
                msg.send()
            elif op == "reply":
                msg = self.plugin["xep_0461"].make_reply(
                    command["author"],
                    command["reply_id"],
                    fallback=command["quote"],
                    quoted_nick=command.get("nick"),
                    mto=command["to"],
                    mbody=command["body"],
                    mtype="chat",
                )
                msg["id"] = command["id"]
                msg["origin_id"]["id"] = command["id"]
                msg.send()
            elif op == "react":
                self.plugin["xep_0444"].send_reactions(command["to"], command["id"], command["emojis"])
            elif op == "retract":
                self.plugin["xep_0424"].send_retraction(command["to"], command["id"])
            elif op == "quit":
                break
            say(event="done", op=op)
        self.disconnect()


def main():
    jid, password, host, port, ca_file = sys.argv[1:6]
    peer = Peer(jid, password, ca_file)
    peer.add_event_handler("failed_auth", lambda _: (say(event="failed_auth"), sys.exit(1)))
    peer.connect(host, int(port))
    asyncio.get_event_loop().run_until_complete(peer.disconnected)


if __name__ == "__main__":
    main()
