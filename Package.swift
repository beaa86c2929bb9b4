// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target, in one place.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "keel",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Keel", targets: ["Keel"]),
        .library(name: "KeelSQLite", targets: ["KeelSQLite"]),
        .library(name: "KeelTesting", targets: ["KeelTesting"]),
        .executable(name: "keel", targets: ["keel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .target(
            name: "Keel",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KeelSQLite",
            dependencies: [
                "Keel",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KeelTesting",
            dependencies: [
                "Keel", "KeelSQLite",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KeelExamples",
            dependencies: ["Keel"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "keel",
            dependencies: [
                "Keel", "KeelSQLite", "KeelExamples",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "keel-crash-helper",
            dependencies: ["Keel", "KeelSQLite", .product(name: "Logging", package: "swift-log")],
            path: "Tests/CrashHelper",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "keel-bench",
            dependencies: ["Keel", "KeelSQLite", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/KeelBenchmarks",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KeelTests",
            dependencies: ["Keel", "KeelSQLite", "KeelTesting", "keel-crash-helper"],
            swiftSettings: swiftSettings
        ),
    ]
)
