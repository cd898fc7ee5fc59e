#pragma once

// What the server answers, as functions of the workspace: diagnostics (findings as LSP
// diagnostics), hover, go to definition, document symbols and code actions. Each takes
// the document and an LSP position and returns the protocol's JSON result.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "checks/finding.h"
#include "lsp/documents.h"
#include "lsp/workspace.h"

namespace calm::lsp {

struct FeatureContext {
  const Workspace& workspace;
  PositionEncoding encoding = PositionEncoding::Utf16;
  /// Where the check pages are: "<base>checks/<id>.md" is a check's page; "" = no links.
  std::string docs_base;
};

/// A finding of `doc` as an LSP Diagnostic: the token at its location underlined, the
/// check id as `code` linking to its page, its notes as related information. With
/// `with_program` (the document's findings come from several programs) the message
/// names its program, as `calm check` does.
nlohmann::json to_diagnostic(const Finding& f, const Document& doc, const FeatureContext& ctx,
                             bool with_program = false);

/// The diagnostics of an open document: its findings (Workspace::findings_for).
nlohmann::json document_diagnostics(const Document& doc, const FeatureContext& ctx);

/// textDocument/hover: on a collection, its kind, schema, module, temporal cluster,
/// points of order and (for outputs) label and causes; on a rule's operator, what the
/// operator does and whether the rule is a point of order, and why. null elsewhere.
nlohmann::json hover(const Document& doc, const Position& pos, const FeatureContext& ctx);

/// textDocument/definition: a collection's declaration (through includes and imports),
/// or a module's. null when the word is neither.
nlohmann::json definition(const Document& doc, const Position& pos, const FeatureContext& ctx);

/// textDocument/documentSymbol: modules and classes, their collections, bloom blocks and
/// rules, as DocumentSymbol trees.
nlohmann::json document_symbols(const Document& doc, const FeatureContext& ctx);

/// textDocument/codeAction: for each finding on the range's lines, insert a
/// `# calm:allow <id> -- ...` above its statement (or add the id to the marker already
/// there), and mark the modules it is about `# calm:coordinated -- ...`.
nlohmann::json code_actions(const Document& doc, const Range& range, const FeatureContext& ctx);

}  // namespace calm::lsp
