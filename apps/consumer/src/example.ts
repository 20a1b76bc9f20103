import fs from "node:fs";

/** The marker before the README's example code block that the consumer test runs. */
export const EXAMPLE_MARKER = "<!-- consumer-test: example.ts -->";

/** The TypeScript code block that follows {@link EXAMPLE_MARKER} in a README. */
export function readmeExample(readme: string): string {
  const text = fs.readFileSync(readme, "utf8");
  const at = text.indexOf(EXAMPLE_MARKER);
  if (at === -1) throw new Error(`${readme} has no ${EXAMPLE_MARKER}`);
  const block = /```ts\n([\s\S]*?)```/.exec(text.slice(at));
  if (!block) throw new Error(`${readme}: no \`\`\`ts block after ${EXAMPLE_MARKER}`);
  return block[1] as string;
}

/** The compiler options an application would use, for one `moduleResolution`. */
export function tsconfig(resolution: "node16" | "bundler", typeRoots: string, outDir: string, skipLibCheck: boolean): unknown {
  return {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022", "ESNext.Disposable"],
      module: resolution === "node16" ? "Node16" : "ESNext",
      moduleResolution: resolution === "node16" ? "Node16" : "Bundler",
      strict: true,
      skipLibCheck,
      types: ["node"],
      typeRoots: [typeRoots],
      outDir,
      noEmit: resolution === "bundler",
    },
    files: ["example.ts"],
  };
}
