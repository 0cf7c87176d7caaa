/*
 * A module resolve hook making ES module imports search NODE_PATH, as Lambda's nodejs18.x and later
 * runtimes do ("The Node.js 18.x runtime for Lambda searches the folders listed in NODE_PATH when
 * loading ES modules"): `import { S3Client } from "@aws-sdk/client-s3"` finds the runtime's SDK, and
 * packages from layers, where Node by itself only looks in node_modules folders above the importer.
 *
 * Registered by node_runtime.js (module.register) before it loads the handler. A bare specifier that
 * Node's own resolution cannot find is resolved again from each NODE_PATH folder in turn; anything
 * else (relative paths, URLs, builtins, packages found the usual way) is left to Node, untouched.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let folders = [];

export function initialize(data) {
  folders = (data && data.nodePath ? data.nodePath.split(':') : []).filter(Boolean);
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier);
}

// The package a bare specifier names: "@scope/name" or "name", without a subpath.
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!error || error.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) {
      throw error;
    }
    const name = packageName(specifier);
    for (const folder of folders) {
      // Only a folder holding the package: Node's lookup from a module inside it would go on to every
      // node_modules above it (the folder's parents are on no search path, as for require).
      if (!existsSync(join(folder, name))) {
        continue;
      }
      // From a module inside a node_modules folder, Node's lookup finds packages in that folder itself
      // (folder/node_modules first, then the folder as its parent's node_modules).
      const parentURL = pathToFileURL(join(folder, '__node_path__.mjs')).href;
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch (_notThere) {
        // try the next folder
      }
    }
    throw error;
  }
}
