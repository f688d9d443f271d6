import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

extension ImageRequest {
    /// The same picture asked for with another seed (a variant, or a redo).
    package func with(seed: UInt32) -> ImageRequest {
        var request = ImageRequest(
            id: id, caption: caption, prompt: prompt, promptToSend: promptToSend, width: width, height: height, seed: seed,
            requestedWidth: requestedWidth, requestedHeight: requestedHeight, redone: true)
        request.spoolFolder = spoolFolder
        return request
    }
}

extension GenerationPlan {
    /// `--variants N`: N − 1 more pictures for every element this plan generates, each with a seed of
    /// its own (not the element's, nor another variant's). They are made and listed as candidates;
    /// the element links its own.
    package func variantJobs(
        _ count: Int, provider: any ImageProvider, random: () -> UInt32 = { UInt32.random(in: 0...UInt32(Int32.max)) }
    ) -> [GenerationJob] {
        guard count > 1 else { return [] }
        var jobs: [GenerationJob] = []
        for job in self.jobs {
            var seeds: Set<UInt32> = [job.request.seed]
            for _ in 1..<count {
                var seed = random()
                while seeds.contains(seed) { seed = random() }
                seeds.insert(seed)
                let request = job.request.with(seed: seed)
                jobs.append(GenerationJob(request: request, key: provider.cacheKey(for: request)))
            }
        }
        return jobs
    }
}
