/// Streaming XXH64 (seed 0): the content hash of a worksheet and of its large strings. It takes
/// eight bytes a step, so hashing a 330 MiB worksheet costs a fraction of reading it (FNV-1a,
/// a byte a step, cost about half a second).
package struct XXHash64: Sendable {
    package static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    package static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    package static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    package static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    package static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var lanes: (UInt64, UInt64, UInt64, UInt64) = (prime1 &+ prime2, prime2, 0, 0 &- prime1)
    /// Bytes not yet making a whole 32-byte stripe.
    private var pending: [UInt8] = []
    private var total: UInt64 = 0

    package init() { pending.reserveCapacity(32) }

    package static func hash(_ bytes: some Collection<UInt8>) -> UInt64 {
        var hasher = XXHash64()
        Array(bytes).withUnsafeBytes { hasher.update($0) }
        return hasher.finish()
    }

    package mutating func update(_ input: UnsafeRawBufferPointer) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        total &+= UInt64(input.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(32 - pending.count, input.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            offset = take
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { stripe($0.baseAddress!) }
            pending.removeAll(keepingCapacity: true)
        }
        while offset + 32 <= input.count {
            stripe(base + offset)
            offset += 32
        }
        if offset < input.count { pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: input.count - offset)) }
    }

    package func finish() -> UInt64 {
        var hash: UInt64
        if total >= 32 {
            hash = rotate(lanes.0, 1) &+ rotate(lanes.1, 7) &+ rotate(lanes.2, 12) &+ rotate(lanes.3, 18)
            for lane in [lanes.0, lanes.1, lanes.2, lanes.3] { hash = (hash ^ Self.round(0, lane)) &* Self.prime1 &+ Self.prime4 }
        } else {
            hash = Self.prime5
        }
        hash &+= total
        pending.withUnsafeBytes { tail in
            var index = 0
            while index + 8 <= tail.count {
                hash ^= Self.round(0, UInt64(littleEndian: tail.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
                hash = rotate(hash, 27) &* Self.prime1 &+ Self.prime4
                index += 8
            }
            if index + 4 <= tail.count {
                hash ^= UInt64(UInt32(littleEndian: tail.loadUnaligned(fromByteOffset: index, as: UInt32.self))) &* Self.prime1
                hash = rotate(hash, 23) &* Self.prime2 &+ Self.prime3
                index += 4
            }
            while index < tail.count {
                hash ^= UInt64(tail[index]) &* Self.prime5
                hash = rotate(hash, 11) &* Self.prime1
                index += 1
            }
        }
        hash ^= hash >> 33
        hash &*= Self.prime2
        hash ^= hash >> 29
        hash &*= Self.prime3
        hash ^= hash >> 32
        return hash
    }

    private mutating func stripe(_ pointer: UnsafeRawPointer) {
        func word(_ index: Int) -> UInt64 { UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) }
        lanes = (Self.round(lanes.0, word(0)), Self.round(lanes.1, word(1)), Self.round(lanes.2, word(2)), Self.round(lanes.3, word(3)))
    }

    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }
}

private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 { value << count | value >> (64 - count) }
