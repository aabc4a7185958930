package directory

import "math"

// earthRadius is the mean Earth radius in metres (IUGG).
const earthRadius = 6371008.8

// DistanceMetres returns the great-circle distance in metres between two
// points given in degrees (haversine formula on a spherical Earth: within
// 0.5% of the true distance, plenty for "which office is nearer").
func DistanceMetres(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(a)))
}
