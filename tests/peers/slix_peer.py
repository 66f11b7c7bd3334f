"""An independent XMPP client (slixmpp) for the interoperability tests (tests/interop_slixmpp.rs).

It logs in as the account given, reads one JSON command per line on standard input and prints
one JSON event per line on standard output, as slixmpp's own plugins understood what came in:
replies (XEP-0461, its fallback stripped by slixmpp), reactions (XEP-0444), retractions
(XEP-0424), and in rooms (XEP-0045) the same and moderation (XEP-0425).
Usage: slix_peer.py JID PASSWORD HOST PORT CA_FILE
"""

import asyncio
import json
import sys

import slixmpp
from slixmpp.xmlstream import ET


def say(**event):
    print(json.dumps(event, ensure_ascii=False), flush=True)


class Peer(slixmpp.ClientXMPP):
    def __init__(self, jid, password, ca_file):
        super().__init__(jid, password)
        plugins = ["xep_0030", "xep_0045", "xep_0359", "xep_0424", "xep_0425", "xep_0428"]
        for plugin in plugins + ["xep_0444", "xep_0461"]:
            self.register_plugin(plugin)
        # The test server's certificate is signed by the authority made for the run.
        self.ssl_context.load_verify_locations(cafile=ca_file)
        self.add_event_handler("session_start", self.started)
        self.add_event_handler("message", self.message)
        self.add_event_handler("reactions", self.reactions)
        self.add_event_handler("message_retract", self.retracted)
        self.add_event_handler("groupchat_message", self.room_message)
        self.add_event_handler("moderated_message", self.moderated)

    async def started(self, _event):
        self.send_presence()
        await self.get_roster()
        say(event="online")
        # Held: the event loop keeps only a weak reference to a task, which the garbage
        # collector may otherwise end while it waits for the next command.
        self.command_loop = asyncio.ensure_future(self.commands())

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

    def room_message(self, msg):
        if not msg["body"] or msg.get_plugin("retract", check=True):
            return
        reply = msg.get_plugin("reply", check=True)
        say(
            event="room_message",
            nick=msg["mucnick"],
            stanza_id=msg["stanza_id"]["id"],
            body=msg["body"],
            reply_id=reply["id"] if reply else None,
            stripped=reply.strip_fallback_content() if reply else None,
        )

    def moderated(self, msg):
        say(event="moderated", id=msg["retract"]["id"], reason=msg["retract"]["reason"])

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
            if op == "quit":
                break
            try:
                await self.carry_out(op, command)
            except Exception as error:  # told to the test, which fails on it
                say(event="error", op=op, error=repr(error))
                continue
            say(event="done", op=op)
        self.disconnect()

    async def carry_out(self, op, command):
        if op == "send":
            msg = self.make_message(mto=command["to"], mbody=command["body"], mtype="chat")
            msg["id"] = command["id"]
            msg["origin_id"]["id"] = command["id"]
            if command.get("unstyled"):
                # XEP-0393 §6; slixmpp has no plugin for styling, so the hint is added by hand.
                msg.xml.append(ET.Element("{urn:xmpp:styling:0}unstyled"))
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
        elif op == "join":
            await self.plugin["xep_0045"].join_muc_wait(command["room"], command["nick"])
        elif op == "room_send":
            msg = self.make_message(mto=command["room"], mbody=command["body"], mtype="groupchat")
            msg["id"] = command["id"]
            msg.send()
        elif op == "room_reply":
            msg = self.plugin["xep_0461"].make_reply(
                command["author"],
                command["reply_id"],
                fallback=command["quote"],
                quoted_nick=command["nick"],
                mto=command["room"],
                mbody=command["body"],
                mtype="groupchat",
            )
            msg["id"] = command["id"]
            msg.send()
        elif op == "room_react":
            msg = self.make_message(mto=command["room"], mtype="groupchat")
            self.plugin["xep_0444"].set_reactions(msg, command["id"], command["emojis"])
            msg.enable("store")
            msg.send()
        elif op == "moderate":
            await self.plugin["xep_0425"].moderate(
                slixmpp.JID(command["room"]), command["id"], command["reason"]
            )
        else:
            raise ValueError(f"unknown command {op}")


def main():
    jid, password, host, port, ca_file = sys.argv[1:6]
    peer = Peer(jid, password, ca_file)
    peer.add_event_handler("failed_auth", lambda _: (say(event="failed_auth"), sys.exit(1)))
    peer.connect(host, int(port))
    asyncio.get_event_loop().run_until_complete(peer.disconnected)


if __name__ == "__main__":
    main()
