"""Names a hostile or careless export could hold, put into the demo data by the ``hostile_db`` fixture."""

IMAGE = "![i](http://evil.test/pixel.png)"
FORMULA = '=HYPERLINK("http://evil.test","x")'
SCRIPT = "</script><script>alert(1)</script>"
RENAMED = {
    ("team", "Billing"): IMAGE,
    ("team", "Accounts"): "**bold** $x^2$ [link](http://evil.test) :red[r] <img src=x onerror=alert(1)>",
    ("category", "App crash"): FORMULA,
    ("category", "Refund request"): "@SUM(A1) ![c](http://evil.test/c.png)",
    ("category", "Payment failed"): SCRIPT,
}
