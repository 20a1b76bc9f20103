export { serverGate } from "@sqlblocks/testkit";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
