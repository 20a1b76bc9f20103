#!/usr/bin/env node
import { runCli } from "./program.js";

const code = await runCli(process.argv.slice(2));
// Exit now: a driver that keeps a socket open must not keep the command waiting.
process.exit(code);
