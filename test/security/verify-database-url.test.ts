/** DATABASE_URL from the environment is announced (host and database, never the password), in every URL form (issue 14). */
import net from "node:net";
import { describe, expect, it } from "vitest";
import { redactDatabaseUrl } from "../../src/verify/server-database.js";
import { migrations, verifyJson } from "./verify-helpers.js";

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("DATABASE_URL", () => {
  it("is announced with its host and database, and a server that cannot be reached is named", async () => {
    const port = await closedPort();
    const dir = migrations({ "001_a.sql": "CREATE TABLE a (id int);\n" });
    const result = await verifyJson([dir], { DATABASE_URL: `postgres://app:s3cret-pw@127.0.0.1:${port}/orders` });
    expect(result).toMatchObject({ exitCode: 2, output: "" });
    expect(result.stderr).toBe(
      `migsafe: using DATABASE_URL from the environment: 127.0.0.1:${port}/orders\n` +
        `migsafe: cannot connect to PostgreSQL at 127.0.0.1:${port}/orders as app: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
  });

  it.each([
    ["a ? in the password", "postgres://app:pa?ss-w0rd@127.0.0.1:{port}/orders", ["pa?ss-w0rd", "ss-w0rd"]],
    ["a # in the password", "postgres://app:pa#ss-w0rd@127.0.0.1:{port}/orders", ["pa#ss-w0rd", "ss-w0rd"]],
    ["a percent-encoded password", "postgres://app:p%40ss%3Fw0rd@127.0.0.1:{port}/orders", ["p%40ss%3Fw0rd", "p@ss?w0rd"]],
    ["a password parameter", "postgres://app@127.0.0.1:{port}/orders?password=s3cret-pw", ["s3cret-pw"]],
    ["a key=value string", "host=127.0.0.1 port={port} password=s3cret-pw dbname=orders", ["s3cret-pw"]],
    ["a key=value string with a quoted password", "host=127.0.0.1 password='s3 cret\\'pw' dbname=orders", ["s3 cret", "cret\\'pw"]],
  ])("never prints the password: %s", async (_, template, secrets) => {
    const port = await closedPort();
    const url = template.replace("{port}", String(port));
    const dir = migrations({ "001_a.sql": "CREATE TABLE a (id int);\n" });
    for (const result of [await verifyJson([dir], { DATABASE_URL: url }), await verifyJson(["--database-url", url, dir])]) {
      expect(result.exitCode).toBe(2);
      for (const secret of secrets) expect(result.stderr).not.toContain(secret);
    }
    for (const secret of secrets) expect(redactDatabaseUrl(url)).not.toContain(secret);
  });
});
