import Foundation

/// How often and how patiently to retry a failing step or task.
///
/// The delay before attempt `n + 1` is `initialDelay × backoffFactor^(n − 1)`, capped at
/// `maximumDelay`, then moved by up to ±`jitter` of itself at random so that many runs failing
/// together do not retry together. Each failed attempt is journaled with its error and the time
/// of the next attempt; a delay longer than
/// ``KeelEngine/Configuration/inMemoryWaitThreshold`` suspends the run durably instead of
/// holding a worker slot.
///
/// ```swift
/// static let retryPolicy = RetryPolicy(maximumAttempts: 5, initialDelay: .seconds(1))
/// ```
public struct RetryPolicy: Sendable, Hashable, Codable {
    /// Attempts in all, the first included; `1` means no retry.
    public var maximumAttempts: Int
    /// The delay after the first failed attempt.
    public var initialDelay: Duration
    /// The factor the delay grows by after each further failure.
    public var backoffFactor: Double
    /// The longest delay between two attempts.
    public var maximumDelay: Duration
    /// The fraction (0…1) of each delay moved at random, up or down.
    public var jitter: Double
    /// Whether this is ``engineDefault``: the engine's configured policy stands in for it.
    var isEngineDefault = false

    private enum CodingKeys: String, CodingKey {
        case maximumAttempts, initialDelay, backoffFactor, maximumDelay, jitter
    }

    /// Creates a policy.
    /// - Parameters:
    ///   - maximumAttempts: attempts in all, at least 1.
    ///   - initialDelay: the delay after the first failure.
    ///   - backoffFactor: growth of the delay per failure, at least 1.
    ///   - maximumDelay: the cap on any delay.
    ///   - jitter: the random fraction (0…1) applied to each delay.
    public init(
        maximumAttempts: Int = 3,
        initialDelay: Duration = .seconds(1),
        backoffFactor: Double = 2,
        maximumDelay: Duration = .seconds(300),
        jitter: Double = 0.1
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialDelay = max(.zero, initialDelay)
        self.backoffFactor = max(1, backoffFactor)
        self.maximumDelay = max(self.initialDelay, maximumDelay)
        self.jitter = min(1, max(0, jitter))
    }

    /// Three attempts, 1 s then 2 s apart, with 10 % jitter: the engine's default unless configured.
    public static let `default` = RetryPolicy()

    /// A single attempt.
    public static let never = RetryPolicy(maximumAttempts: 1)

    /// Whatever the engine is configured with (``KeelEngine/Configuration/defaultRetryPolicy``):
    /// what a task that declares no policy gets.
    public static let engineDefault: RetryPolicy = {
        var policy = RetryPolicy()
        policy.isEngineDefault = true
        return policy
    }()

    /// The policy to apply: `self`, or `configured` when `self` is ``engineDefault``.
    func resolved(engineDefault configured: RetryPolicy) -> RetryPolicy {
        isEngineDefault ? configured : self
    }

    /// Whether another attempt follows failed attempt number `attempt` (1-based).
    public func allowsRetry(afterAttempt attempt: Int) -> Bool { attempt < maximumAttempts }

    /// The delay after failed attempt number `attempt` (1-based).
    /// - Parameter attempt: the number of the attempt that failed, from 1.
    /// - Parameter unitRandom: a number in 0..<1 that places the jitter; 0.5 means none.
    public func delay(afterAttempt attempt: Int, unitRandom: Double = 0.5) -> Duration {
        let base = initialDelay.seconds * pow(backoffFactor, Double(min(64, max(0, attempt - 1))))
        let capped = min(base, maximumDelay.seconds)
        let jittered = capped * (1 + jitter * (2 * unitRandom - 1))
        return .seconds(max(0, jittered))
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    package var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
