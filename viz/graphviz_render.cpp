#include "viz/graphviz_render.h"

#include <gvc.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "viz/dot_writer.h"

namespace calm::viz {

namespace {

/// Graphviz 2.42 takes `char*` where it only reads: the one place we cast constness away.
char* gv(const std::string& s) { return const_cast<char*>(s.c_str()); }

/// Graphviz reports through a global callback; collect its messages during a render.
std::string* g_messages = nullptr;

int collect_message(char* message) {
  if (g_messages != nullptr && message != nullptr) *g_messages += message;
  return 0;
}

/// Installs collect_message() for its lifetime, restoring the previous handler after.
class MessageCapture {
 public:
  explicit MessageCapture(std::string& sink) : previous_(agseterrf(collect_message)) {
    g_messages = &sink;
  }
  ~MessageCapture() {
    g_messages = nullptr;
    agseterrf(previous_);
  }
  MessageCapture(const MessageCapture&) = delete;
  MessageCapture& operator=(const MessageCapture&) = delete;

 private:
  agusererrf previous_;
};

void set_all(void* object, const Attributes& attributes) {
  for (const auto& [name, value] : attributes)
    agsafeset(object, gv(name), gv(value), gv(std::string()));
}

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

/// The process's Graphviz context, created on first use and freed at exit. One context
/// for every render: Graphviz 2.42's pango plugin keeps a pointer to a font name that
/// gvFreeContext() frees, so a second context would read freed memory.
GVC_t* shared_context() {
  struct Holder {
    GVC_t* gvc = gvContext();
    Holder() = default;
    Holder(const Holder&) = delete;
    Holder& operator=(const Holder&) = delete;
    ~Holder() {
      if (gvc != nullptr) gvFreeContext(gvc);
    }
  };
  static Holder holder;
  return holder.gvc;
}

/// dot layout, then render to memory; frees the layout and the rendered buffer.
bool layout_and_render(GVC_t* gvc, Agraph_t* g, ImageFormat format, const std::string& messages,
                       RenderResult& result) {
  bool ok = true;
  if (gvLayout(gvc, g, gv("dot")) != 0) {
    result.error = "Graphviz layout failed: " + trimmed(messages);
    ok = false;
  } else {
    char* data = nullptr;
    unsigned int length = 0;
    if (gvRenderData(gvc, g, gv(to_string(format)), &data, &length) != 0) {
      result.error =
          std::string("Graphviz cannot render ") + to_string(format) + ": " + trimmed(messages);
      ok = false;
    } else {
      result.data.assign(data, length);
    }
    if (data != nullptr) gvFreeRenderData(data);
  }
  gvFreeLayout(gvc, g);
  return ok;
}

}  // namespace

const char* to_string(ImageFormat f) {
  switch (f) {
    case ImageFormat::Dot:
      return "dot";
    case ImageFormat::Svg:
      return "svg";
    case ImageFormat::Png:
      return "png";
    case ImageFormat::Pdf:
      return "pdf";
  }
  return "svg";
}

std::optional<ImageFormat> image_format_from_name(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (n == "dot" || n == "gv") return ImageFormat::Dot;
  if (n == "svg") return ImageFormat::Svg;
  if (n == "png") return ImageFormat::Png;
  if (n == "pdf") return ImageFormat::Pdf;
  return std::nullopt;
}

std::optional<ImageFormat> image_format_from_path(const std::string& path) {
  auto slash = path.find_last_of('/');
  auto dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return std::nullopt;
  return image_format_from_name(path.substr(dot + 1));
}

struct GraphvizRenderer::Context {
  GVC_t* gvc = nullptr;
};

GraphvizRenderer::GraphvizRenderer() : context_(std::make_unique<Context>()) {}

GraphvizRenderer::~GraphvizRenderer() = default;

RenderResult GraphvizRenderer::render(const Diagram& d, ImageFormat format) {
  RenderResult result;
  if (format == ImageFormat::Dot) {
    result.ok = true;
    result.data = write_dot(d);
    return result;
  }
  std::string messages;
  MessageCapture capture(messages);
  if (context_->gvc == nullptr) context_->gvc = shared_context();
  GVC_t* gvc = context_->gvc;
  if (gvc == nullptr) {
    result.error = "cannot start Graphviz: " + trimmed(messages);
    return result;
  }

  Agraph_t* g = agopen(gv(d.name.empty() ? std::string("G") : d.name), Agdirected, nullptr);
  if (g == nullptr) {
    result.error = "cannot create the Graphviz graph: " + trimmed(messages);
    return result;
  }
  // Graph attributes first: subgraphs inherit the declarations.
  for (const auto& [name, value] : graph_attributes(d))
    agsafeset(g, gv(name), gv(value), gv(std::string()));
  for (const auto& [name, value] : node_defaults()) agattr(g, AGNODE, gv(name), gv(value));
  for (const auto& [name, value] : edge_defaults()) agattr(g, AGEDGE, gv(name), gv(value));

  // Nodes in the order write_dot() declares them (each group's, then the others), so
  // that the DOT file lays out exactly like this graph.
  std::map<std::string, Agnode_t*> nodes;
  std::map<std::string, const DiagramGroup*> group_of;
  for (const auto& group : d.groups)
    for (const auto& n : group.nodes) group_of[n] = &group;
  for (const auto& group : d.groups) {
    Agraph_t* sub = agsubg(g, gv(group.id), 1);
    set_all(sub, group_attributes(group));
    for (const auto& n : d.nodes)
      if (auto it = group_of.find(n.id); it != group_of.end() && it->second == &group) {
        nodes[n.id] = agnode(sub, gv(n.id), 1);
        set_all(nodes[n.id], node_attributes(n));
      }
  }
  for (const auto& n : d.nodes)
    if (!group_of.count(n.id)) {
      nodes[n.id] = agnode(g, gv(n.id), 1);
      set_all(nodes[n.id], node_attributes(n));
    }
  bool ok = true;
  for (const auto* list : {&d.edges, &d.legend_edges})
    for (const auto& e : *list) {
      auto from = nodes.find(e.from);
      auto to = nodes.find(e.to);
      if (from == nodes.end() || to == nodes.end()) {
        result.error = "edge " + e.from + " -> " + e.to + " names a node the diagram lacks";
        ok = false;
        continue;
      }
      Agedge_t* edge = agedge(g, from->second, to->second, nullptr, 1);
      set_all(edge, edge_attributes(e, d.edge_xlabels && list == &d.edges));
    }

  if (ok) ok = layout_and_render(gvc, g, format, messages, result);
  agclose(g);
  result.ok = ok;
  return result;
}

RenderResult render_dot_text(const std::string& dot, ImageFormat format) {
  RenderResult result;
  std::string messages;
  MessageCapture capture(messages);
  Agraph_t* g = agmemread(dot.c_str());
  if (g == nullptr) {
    result.error = "Graphviz cannot read the DOT text: " + trimmed(messages);
    return result;
  }
  if (format == ImageFormat::Dot) {
    agclose(g);
    result.ok = true;
    result.data = dot;
    return result;
  }
  GVC_t* gvc = shared_context();
  if (gvc == nullptr) {
    agclose(g);
    result.error = "cannot start Graphviz: " + trimmed(messages);
    return result;
  }
  result.ok = layout_and_render(gvc, g, format, messages, result);
  agclose(g);
  return result;
}

RenderResult render_diagram(const Diagram& d, ImageFormat format) {
  GraphvizRenderer renderer;
  return renderer.render(d, format);
}

std::string svg_element(const std::string& svg_document) {
  auto start = svg_document.find("<svg");
  if (start == std::string::npos) return svg_document;
  return svg_document.substr(start);
}

}  // namespace calm::viz

#if defined(__SANITIZE_ADDRESS__)
/// LeakSanitizer (ASan builds): the memory that fontconfig, pango, cairo and glib cache,
/// Graphviz 2.42's gvconfig() buffer and the virtual edges its dot layout leaks for
/// clusters are not calm's to free (tests/viz/graphviz.supp says the same to valgrind).
/// libgvc is built without frame pointers, so LeakSanitizer's stacks stop inside it and
/// cannot name gvconfig: allocations made by libgvc are suppressed as a whole here, and
/// the valgrind test (full stacks) is the leak check for calm's use of Graphviz. Leaks of
/// cgraph objects (a missing agclose) are still reported.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n"
         "leak:libpango\n"
         "leak:libcairo.so\n"
         "leak:libglib-2.0.so\n"
         "leak:libgobject-2.0.so\n"
         "leak:gvconfig\n"
         "leak:libgvc.so\n"
         "leak:libgvplugin_dot_layout.so\n";
}

/// Keep stderr for calm's own messages: no "Suppressions used" table at exit.
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
#endif
