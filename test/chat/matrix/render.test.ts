import { describe, expect, it } from "vitest";
import { markdownToMatrixHtml, renderNotice, sanitizeMatrixHtml } from "../../../src/chat/matrix/render.js";

describe("renderNotice", () => {
  it("renders Markdown as HTML with a plain body", () => {
    const notice = renderNotice({ text: "**Bug [#12](https://bugs.example.com/view.php?id=12)** is `NEW`\n- one\n- two" }, "!support");
    expect(notice).toEqual({
      msgtype: "m.notice",
      body: "Bug #12 <https://bugs.example.com/view.php?id=12> is NEW\n- one\n- two",
      format: "org.matrix.custom.html",
      formatted_body: '<p><strong>Bug <a href="https://bugs.example.com/view.php?id=12">#12</a></strong> is <code>NEW</code></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>',
    });
  });

  it("turns buttons into lines naming the command to send", () => {
    const notice = renderNotice({ text: "#12 waits for triage.", buttons: [{ label: "Grab", command: "grab 12" }, { label: "Show", command: "show 12" }] }, "!bot");
    expect(notice.body).toBe("#12 waits for triage.\n\nGrab: send !bot grab 12\nShow: send !bot show 12");
    expect(notice.formatted_body).toContain("<strong>Grab</strong>: send <code>!bot grab 12</code><br>");
  });

  it("keeps single line breaks", () => {
    expect(markdownToMatrixHtml("first\nsecond")).toBe("<p>first<br>second</p>");
  });
});

describe("HTML safety", () => {
  it.each([
    ["raw HTML", "<script>alert(1)</script> and <b onclick=\"x()\">bold</b>", "&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b onclick=&quot;x()&quot;&gt;bold&lt;/b&gt;"],
    ["inline HTML", "see <img src=x onerror=alert(1)>", "<p>see &lt;img src=x onerror=alert(1)&gt;</p>"],
    ["a javascript: link", "[click](javascript:alert(1))", "<p>click</p>"],
    ["a data: link", "[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>"],
    ["a web image", "![logo](https://example.com/logo.png)", '<p><a href="https://example.com/logo.png">logo</a></p>'],
    ["a task list", "- [x] done", "<ul>\n<li>[x] done</li>\n</ul>"],
    ["an HTML block", "<div onmouseover=\"steal()\">\nhi\n</div>", "&lt;div onmouseover=&quot;steal()&quot;&gt;\nhi\n&lt;/div&gt;"],
  ])("shows %s as text", (_what, markdown, html) => {
    expect(markdownToMatrixHtml(markdown)).toBe(html);
  });

  it("escapes tags outside the allow-list and drops attributes it does not know", () => {
    expect(sanitizeMatrixHtml('<p class="x">a</p><iframe src="https://evil"></iframe><a href="javascript:x" title="t">b</a><code class="language-ts">c</code>')).toBe(
      '<p>a</p>&lt;iframe src=&quot;https://evil&quot;&gt;&lt;/iframe&gt;<a>b</a><code class="language-ts">c</code>',
    );
  });
});
