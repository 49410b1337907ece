import path from 'node:path';
import { parseArgs } from 'node:util';
import { localDataDir } from '../data-dir.js';
import { CognitoError } from './errors.js';
import { createLocalUserPool } from './pool.js';
import { runWhenInvoked } from '../cli-main.js';

const USAGE = `Local user pool (development only; works on the data dir directly)

  add <email> --password <pw> [--phone <+E164>] [--group <name>]... [--unconfirmed]
  group <email> <group>          add a user to a group
  ungroup <email> <group>        remove a user from a group
  list [--json]                  list users
  code <email|phone>             print the newest unused code sent to <email> or <phone>

Options: --data-dir <dir> (default $BLOCKS_DATA_DIR or ./.blocks-data)
         --pool-id <id>   (default local_blocks; must match the dev server's)`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/** Runs one CLI command; resolves to the process exit code. */
export async function runUserPoolCli(argv: string[], io: CliIo = consoleIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        password: { type: 'string' },
        phone: { type: 'string' },
        group: { type: 'string', multiple: true },
        unconfirmed: { type: 'boolean' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
        'pool-id': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, first, second] = positionals;
  if (values.help || !command) {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }
  const pool = createLocalUserPool({
    dataDir: values['data-dir'] ? path.resolve(values['data-dir']) : localDataDir(),
    // The CLI never issues tokens, so the issuer is irrelevant here.
    issuerBaseUrl: 'http://localhost/local-cognito',
    userPoolId: values['pool-id'],
    rateLimit: false,
  });

  try {
    switch (command) {
      case 'add': {
        if (!first || !values.password) {
          io.err(`add needs <email> and --password\n\n${USAGE}`);
          return 2;
        }
        const user = await pool.adminCreateUser({
          email: first,
          password: values.password,
          groups: values.group,
          confirmed: !values.unconfirmed,
          ...(values.phone !== undefined && { attributes: { phone_number: values.phone } }),
        });
        const phone = user.phoneNumber ? `, phone ${user.phoneNumber}` : '';
        io.out(`Added ${user.email} (sub ${user.sub}${phone})${user.groups.length ? ` in ${user.groups.join(', ')}` : ''}`);
        return 0;
      }
      case 'group':
      case 'ungroup': {
        if (!first || !second) {
          io.err(`${command} needs <email> <group>\n\n${USAGE}`);
          return 2;
        }
        if (command === 'group') await pool.adminAddUserToGroup(first, second);
        else await pool.adminRemoveUserFromGroup(first, second);
        io.out(
          `${command === 'group' ? 'Added' : 'Removed'} ${first} ${command === 'group' ? 'to' : 'from'} ${second}`,
        );
        return 0;
      }
      case 'list': {
        const users = await pool.listUsers();
        if (values.json) {
          io.out(JSON.stringify(users, null, 2));
        } else if (users.length === 0) {
          io.out(`No users in ${pool.directory}`);
        } else {
          for (const user of users) {
            const status = user.confirmed ? 'confirmed' : 'unconfirmed';
            io.out(`${user.email || user.phoneNumber || '-'}\t${user.sub}\t${status}\t${user.groups.join(',') || '-'}`);
          }
        }
        return 0;
      }
      case 'code': {
        const code = first ? await pool.lastCode(first) : undefined;
        if (!code) {
          io.err(`No pending code for ${first ?? '<email>'}`);
          return 1;
        }
        io.out(code);
        return 0;
      }
      default:
        io.err(`Unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof CognitoError) {
      io.err(`${error.type}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

runWhenInvoked(import.meta.url, runUserPoolCli, (error) => error);
