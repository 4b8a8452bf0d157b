/**
 * The public API report of each package entry point: every exported name with its kind and
 * its declaration as the compiled `.d.ts` states it (comments left out), then the
 * declarations the API reaches without exporting them. A changed parameter, member or
 * return type changes the report, not only an added or removed name. `npm run api:update`
 * writes the reports to `api/`; `test/public-api.test.ts` compares them with the build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface EntryPoint {
  /** The import specifier users write: `@ferry/client`, `@ferry/browser/react`… */
  specifier: string;
  /** The compiled declaration file the entry's `types` condition names. */
  typesFile: string;
  /** Where the entry's committed report lives. */
  reportFile: string;
}

export const REPORT_DIR = 'api';

interface PackageJson {
  name: string;
  exports?: Record<string, string | Record<string, string>>;
}

/** Every entry point that the packages' `exports` declare with a `types` condition. */
export function entryPoints(root: string): EntryPoint[] {
  const packagesDir = join(root, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const dir = join(packagesDir, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      return Object.entries(manifest.exports ?? {}).flatMap(([subpath, target]) => {
        if (typeof target === 'string' || target.types === undefined) return [];
        const specifier = join(manifest.name, subpath);
        const reportName = specifier.replace(/^@ferry\//, '').replaceAll('/', '-');
        return [
          {
            specifier,
            typesFile: join(dir, target.types),
            reportFile: join(root, REPORT_DIR, `${reportName}.api.md`),
          },
        ];
      });
    })
    .sort((a, b) => byCodeUnits(a.specifier, b.specifier));
}

/** A locale-free order, so the reports read the same on every machine. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const KINDS: ReadonlyArray<[ts.SymbolFlags, string]> = [
  [ts.SymbolFlags.Class, 'class'],
  [ts.SymbolFlags.Function, 'function'],
  [ts.SymbolFlags.Variable, 'const'],
  [ts.SymbolFlags.Enum, 'enum'],
  [ts.SymbolFlags.Interface, 'interface'],
  [ts.SymbolFlags.TypeAlias, 'type'],
  [ts.SymbolFlags.Module, 'namespace'],
];

function kindOf(symbol: ts.Symbol): string {
  const kinds = KINDS.filter(([flag]) => symbol.flags & flag).map(([, name]) => name);
  return kinds.length === 0 ? 'unknown' : kinds.join(' + ');
}

const printer = ts.createPrinter({ removeComments: true });

/** A declaration as written in its `.d.ts`, with no comments and no `export`/`declare`. */
function printDeclaration(declaration: ts.Declaration): string {
  const node = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  const text = printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile());
  return text.replace(/^(export )?(default )?(declare )?/, '');
}

function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** The top-level symbols that type positions inside `node` name. */
function referencedSymbols(checker: ts.TypeChecker, node: ts.Node): ts.Symbol[] {
  const found: ts.Symbol[] = [];
  const visit = (child: ts.Node): void => {
    let name: ts.Node | undefined;
    if (ts.isTypeReferenceNode(child) || ts.isTypeQueryNode(child)) {
      name = ts.isTypeReferenceNode(child) ? child.typeName : child.exprName;
    } else if (ts.isExpressionWithTypeArguments(child)) {
      name = child.expression;
    } else if (ts.isImportTypeNode(child)) {
      name = child.qualifier;
    }
    // Of `A.B` only `A` is top-level; members of an exported namespace are printed with it.
    while (name !== undefined && (ts.isQualifiedName(name) || ts.isPropertyAccessExpression(name)))
      name = ts.isQualifiedName(name) ? name.left : name.expression;
    const symbol = name === undefined ? undefined : checker.getSymbolAtLocation(name);
    if (symbol !== undefined) found.push(resolveAlias(checker, symbol));
    ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

export interface ReportOptions {
  entries: readonly Pick<EntryPoint, 'specifier' | 'typesFile'>[];
  /** Whether a declaration file belongs to the code being reported (and not to a dependency). */
  isOwnFile: (fileName: string) => boolean;
  /** Paths in the reports are written relative to this directory. */
  root: string;
}

/** One report per entry, keyed by specifier. */
export function createApiReports(options: ReportOptions): Map<string, string> {
  const program = ts.createProgram(
    options.entries.map((entry) => entry.typesFile),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
    },
  );
  const checker = program.getTypeChecker();
  const exportsOf = new Map<string, ts.Symbol[]>();
  for (const entry of options.entries) {
    const source = program.getSourceFile(entry.typesFile);
    const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) {
      throw new Error(`${entry.typesFile} is missing or not a module: build the packages first.`);
    }
    exportsOf.set(entry.specifier, checker.getExportsOfModule(moduleSymbol));
  }
  const exported = new Set(
    [...exportsOf.values()].flat().map((symbol) => resolveAlias(checker, symbol)),
  );

  const reports = new Map<string, string>();
  for (const entry of options.entries) {
    const lines = [
      `# API report: ${entry.specifier}`,
      '',
      `Generated by \`npm run api:update\` from \`${relative(options.root, entry.typesFile)}\`. Do not edit.`,
    ];
    const hidden = new Map<string, ts.Declaration[]>();
    const collectHidden = (declaration: ts.Node): void => {
      for (const symbol of referencedSymbols(checker, declaration)) {
        const declarations = (symbol.declarations ?? []).filter(
          (d) => ts.isSourceFile(d.parent) || ts.isVariableStatement(d.parent.parent),
        );
        const own = declarations.filter((d) => options.isOwnFile(d.getSourceFile().fileName));
        if (own.length === 0 || exported.has(symbol)) continue;
        const key = `${symbol.name} (${relative(options.root, own[0]!.getSourceFile().fileName)})`;
        if (hidden.has(key)) continue;
        hidden.set(key, own);
        for (const d of own) collectHidden(d);
      }
    };
    const symbols = [...(exportsOf.get(entry.specifier) ?? [])].sort((a, b) =>
      byCodeUnits(a.name, b.name),
    );
    for (const symbol of symbols) {
      const target = resolveAlias(checker, symbol);
      const declarations = target.declarations ?? [];
      // `export { createDefaultLogger as createLogger }`: the declaration bears the other name.
      const alias = target.name === symbol.name ? '' : `, declared as ${target.name}`;
      lines.push('', `## ${symbol.name} (${kindOf(target)}${alias})`, '', '```ts');
      for (const declaration of declarations) {
        lines.push(printDeclaration(declaration));
        collectHidden(declaration);
      }
      lines.push('```');
    }
    if (hidden.size > 0) {
      lines.push('', '# Reached from the API but not exported');
      for (const [key, declarations] of [...hidden].sort(([a], [b]) => byCodeUnits(a, b))) {
        lines.push('', `## ${key}`, '', '```ts', ...declarations.map(printDeclaration), '```');
      }
    }
    reports.set(entry.specifier, `${lines.join('\n')}\n`);
  }
  return reports;
}

/** The reports of the repository's own entry points. */
export function repositoryApiReports(root: string): Map<string, string> {
  const packagesDir = join(root, 'packages');
  return createApiReports({
    entries: entryPoints(root),
    root,
    isOwnFile: (fileName) =>
      fileName.startsWith(packagesDir) && /\/packages\/[^/]+\/dist\//.test(fileName),
  });
}
