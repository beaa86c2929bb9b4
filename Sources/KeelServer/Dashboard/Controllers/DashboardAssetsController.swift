import Hummingbird
import NIOCore

/// `/assets/dashboard.css` and `/assets/dashboard.js`, served from the binary.
struct DashboardAssetsController {
    func addRoutes(to router: Router<KeelRequestContext>) {
        router.get("/assets/dashboard.css") { _, _ in Self.asset(DashboardAssets.styles, type: "text/css; charset=utf-8") }
        router.get("/assets/dashboard.js") { _, _ in Self.asset(DashboardAssets.script, type: "text/javascript; charset=utf-8") }
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = DashboardResponse.securityHeaders(contentType: type)
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
