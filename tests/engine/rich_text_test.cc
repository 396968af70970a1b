#include "engine/rich_text.h"

#include <gtest/gtest.h>

namespace actiondb::engine {
namespace {

TEST(RichTextTest, RendersTheMarkdownSubset) {
  EXPECT_EQ(
      MarkdownToHtml("# Title\nSome **bold** and *em* and `code`."),
      "<h1>Title</h1><p>Some <strong>bold</strong> and <em>em</em> and <code>code</code>.</p>");
  EXPECT_EQ(MarkdownToHtml("- a\n- b\n\n1. one\n2. two"),
            "<ul><li>a</li><li>b</li></ul><ol><li>one</li><li>two</li></ol>");
  EXPECT_EQ(MarkdownToHtml("line one\nline two\n\nnext"), "<p>line one line two</p><p>next</p>");
  EXPECT_EQ(MarkdownToHtml("[site](https://example.com)"),
            "<p><a href=\"https://example.com\">site</a></p>");
  EXPECT_EQ(MarkdownToHtml(""), "");
}

TEST(RichTextTest, EscapesHtmlAndDropsUnsafeLinks) {
  EXPECT_EQ(MarkdownToHtml("<script>alert('x')</script> & \"q\""),
            "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>");
  EXPECT_EQ(MarkdownToHtml("[click](javascript:alert(1))"), "<p>click</p>");
  EXPECT_EQ(MarkdownToHtml("[x](\"onmouseover=)"), "<p><a href=\"&quot;onmouseover=\">x</a></p>");
}

TEST(RichTextTest, TruncatesVisibleCharactersAndClosesTags) {
  EXPECT_EQ(TruncatedHtml("**hello world**", 5), "<p><strong>hello…</strong></p>");
  EXPECT_EQ(TruncatedHtml("short", 250), "<p>short</p>");
  EXPECT_EQ(TruncatedHtml("a & b", 3), "<p>a &amp;…</p>");     // an entity counts as one character
  EXPECT_EQ(TruncatedHtml("héllo wörld", 4), "<p>héll…</p>");  // never cuts inside UTF-8
  EXPECT_EQ(TruncatedHtml("exactly", 7), "<p>exactly</p>");    // not cut: no ellipsis
  std::string long_md(1000, 'x');
  std::string out = TruncatedHtml(long_md);
  EXPECT_EQ(out, "<p>" + std::string(250, 'x') + "…</p>");
}

}  // namespace
}  // namespace actiondb::engine
